CREATE TABLE account (
    id integer NOT NULL,
    username character varying(255) NOT NULL,
    union_id integer NOT NULL,
    display_name character varying(255) NOT NULL,
    role character varying(255) NOT NULL,
    password_hash character varying(255) NOT NULL,
    failed_count integer NOT NULL,
    locked_until timestamp without time zone,
    last_login timestamp without time zone,
    disabled boolean NOT NULL,
    must_change_password boolean NOT NULL,
    created timestamp without time zone NOT NULL
);
CREATE SEQUENCE account_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE account_id_seq OWNED BY account.id;
CREATE TABLE audit_entry (
    id integer NOT NULL,
    at timestamp without time zone NOT NULL,
    username character varying(255),
    union_id integer,
    action character varying(255) NOT NULL,
    entity character varying(255) NOT NULL,
    entity_key character varying(255) NOT NULL,
    detail text NOT NULL
);
CREATE SEQUENCE audit_entry_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE audit_entry_id_seq OWNED BY audit_entry.id;
CREATE TABLE batch_review (
    id integer NOT NULL,
    submission_id integer NOT NULL,
    mark character varying(255),
    secondary_by_id integer,
    secondary_at timestamp without time zone,
    district_by_id integer,
    district_at timestamp without time zone,
    district_batch_id integer,
    updated timestamp without time zone NOT NULL
);
CREATE SEQUENCE batch_review_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE batch_review_id_seq OWNED BY batch_review.id;
CREATE TABLE campaign (
    id integer NOT NULL,
    plan_year integer NOT NULL,
    fee_window_start date NOT NULL,
    fee_window_end date NOT NULL,
    enrollment_start date NOT NULL,
    payment_deadline date NOT NULL,
    submission_window_start date NOT NULL,
    submission_window_end date NOT NULL,
    coverage_start date NOT NULL,
    coverage_end date NOT NULL,
    grace_seconds integer NOT NULL,
    bank_account_name character varying(255) NOT NULL,
    bank_account_number character varying(255) NOT NULL,
    bank_name character varying(255) NOT NULL,
    half_year text NOT NULL,
    updated timestamp without time zone NOT NULL,
    voucher_deadline date,
    union_categories text,
    version integer NOT NULL
);
CREATE SEQUENCE campaign_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE campaign_id_seq OWNED BY campaign.id;
CREATE TABLE card_batch (
    id integer NOT NULL,
    union_id integer NOT NULL,
    user_id integer NOT NULL,
    device_id integer,
    batch_no character varying(255) NOT NULL,
    member_count integer NOT NULL,
    issued integer NOT NULL,
    refused integer NOT NULL,
    status character varying(255) NOT NULL,
    payload text NOT NULL,
    payload_sha256 character varying(64) NOT NULL,
    signature text,
    received timestamp without time zone NOT NULL,
    updated timestamp without time zone NOT NULL
);
CREATE SEQUENCE card_batch_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE card_batch_id_seq OWNED BY card_batch.id;
CREATE TABLE card_batch_member (
    id integer NOT NULL,
    batch_id integer NOT NULL,
    id_number character varying(32) NOT NULL,
    name character varying(255),
    outcome character varying(255) NOT NULL,
    card_no character varying(255),
    reason text,
    decided timestamp without time zone
);
CREATE SEQUENCE card_batch_member_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE card_batch_member_id_seq OWNED BY card_batch_member.id;
CREATE TABLE card_job (
    id integer NOT NULL,
    union_id integer NOT NULL,
    kind character varying(255) NOT NULL,
    requested_by_id integer,
    request_id character varying(255),
    id_numbers text,
    batch_id integer,
    status character varying(255) NOT NULL,
    not_before timestamp without time zone NOT NULL,
    claimed_by character varying(255),
    claimed_at timestamp without time zone,
    finished timestamp without time zone,
    created timestamp without time zone NOT NULL
);
CREATE SEQUENCE card_job_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE card_job_id_seq OWNED BY card_job.id;
CREATE TABLE change (
    id integer NOT NULL,
    union_id integer NOT NULL,
    seq bigint NOT NULL,
    entity character varying(255) NOT NULL,
    entity_key character varying(255) NOT NULL,
    payload text NOT NULL,
    created timestamp without time zone NOT NULL
);
CREATE SEQUENCE change_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE change_id_seq OWNED BY change.id;
CREATE TABLE device (
    id integer NOT NULL,
    user_id integer NOT NULL,
    public_key character varying(255) NOT NULL,
    fingerprint character varying(255) NOT NULL,
    label character varying(255) NOT NULL,
    created timestamp without time zone NOT NULL,
    revoked timestamp without time zone
);
CREATE SEQUENCE device_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE device_id_seq OWNED BY device.id;
CREATE TABLE district_batch (
    id integer NOT NULL,
    union_id integer NOT NULL,
    batch_no character varying(255) NOT NULL,
    plan_year integer NOT NULL,
    status character varying(255) NOT NULL,
    counts text NOT NULL,
    channels text NOT NULL,
    totals text NOT NULL,
    amount numeric(14,2) NOT NULL,
    handler_name character varying(255) NOT NULL,
    handler_phone character varying(255) NOT NULL,
    submitted_by_id integer NOT NULL,
    submitted timestamp without time zone NOT NULL,
    decided timestamp without time zone,
    decided_by_id integer,
    updated timestamp without time zone NOT NULL
);
CREATE SEQUENCE district_batch_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE district_batch_id_seq OWNED BY district_batch.id;
CREATE TABLE enrollment (
    id integer NOT NULL,
    plan_year integer NOT NULL,
    id_number character varying(32) NOT NULL,
    union_id integer NOT NULL,
    submission_id integer NOT NULL,
    channel character varying(255) NOT NULL
);
CREATE SEQUENCE enrollment_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE enrollment_id_seq OWNED BY enrollment.id;
CREATE TABLE enterprise (
    id integer NOT NULL,
    union_id integer NOT NULL,
    name character varying(255) NOT NULL,
    credit_code character varying(255)
);
CREATE SEQUENCE enterprise_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE enterprise_id_seq OWNED BY enterprise.id;
CREATE TABLE idempotency_record (
    id integer NOT NULL,
    key character varying(64) NOT NULL,
    union_id integer NOT NULL,
    user_id integer NOT NULL,
    kind character varying(255) NOT NULL,
    payload_sha256 character varying(64) NOT NULL,
    response text NOT NULL,
    created timestamp without time zone NOT NULL
);
CREATE SEQUENCE idempotency_record_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE idempotency_record_id_seq OWNED BY idempotency_record.id;
CREATE TABLE login_guard (
    id integer NOT NULL,
    key character varying(200) NOT NULL,
    failures integer NOT NULL,
    window_start timestamp without time zone NOT NULL,
    locked_until timestamp without time zone,
    updated timestamp without time zone NOT NULL
);
CREATE SEQUENCE login_guard_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE login_guard_id_seq OWNED BY login_guard.id;
CREATE TABLE member (
    id integer NOT NULL,
    union_id integer NOT NULL,
    id_number character varying(32) NOT NULL,
    member_no character varying(255),
    name character varying(255),
    id_type character varying(255),
    id_expiry character varying(255),
    gender character varying(255),
    birth_date character varying(255),
    phone character varying(255),
    work_address character varying(255),
    label character varying(255),
    category character varying(255),
    enterprise_name character varying(255),
    join_date character varying(255),
    post_type character varying(255),
    life_status character varying(255) NOT NULL,
    retired_on character varying(255),
    card_no character varying(255),
    card_status character varying(255) NOT NULL,
    ss_card_status character varying(255),
    employment_status character varying(255),
    insurance_status character varying(255),
    ss_checked timestamp without time zone,
    versions text NOT NULL,
    version integer NOT NULL,
    updated timestamp without time zone NOT NULL
);
CREATE SEQUENCE member_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE member_id_seq OWNED BY member.id;
CREATE TABLE nonce (
    id integer NOT NULL,
    value character varying(128) NOT NULL,
    seen_at timestamp without time zone NOT NULL
);
CREATE SEQUENCE nonce_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE nonce_id_seq OWNED BY nonce.id;
CREATE TABLE plan_fee (
    id integer NOT NULL,
    campaign_id integer NOT NULL,
    union_id integer,
    plan_type character varying(255) NOT NULL,
    fee numeric(14,2) NOT NULL,
    city numeric(14,2) NOT NULL,
    district numeric(14,2) NOT NULL,
    grassroots numeric(14,2) NOT NULL,
    valid_from date NOT NULL,
    valid_to date NOT NULL
);
CREATE SEQUENCE plan_fee_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE plan_fee_id_seq OWNED BY plan_fee.id;
CREATE TABLE registry_entry (
    id integer NOT NULL,
    id_number character varying(32) NOT NULL,
    ss_card_status character varying(255) NOT NULL,
    employment_status character varying(255) NOT NULL,
    updated timestamp without time zone NOT NULL
);
CREATE SEQUENCE registry_entry_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE registry_entry_id_seq OWNED BY registry_entry.id;
CREATE TABLE ss_check_job (
    id integer NOT NULL,
    union_id integer NOT NULL,
    requested_by_id integer,
    id_numbers text NOT NULL,
    status character varying(255) NOT NULL,
    not_before timestamp without time zone NOT NULL,
    claimed_by character varying(255),
    claimed_at timestamp without time zone,
    finished timestamp without time zone,
    created timestamp without time zone NOT NULL
);
CREATE SEQUENCE ss_check_job_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE ss_check_job_id_seq OWNED BY ss_check_job.id;
CREATE TABLE submission (
    id integer NOT NULL,
    union_id integer NOT NULL,
    user_id integer NOT NULL,
    device_id integer NOT NULL,
    batch_no character varying(255) NOT NULL,
    kind character varying(255) NOT NULL,
    plan_year integer NOT NULL,
    channel character varying(255) NOT NULL,
    plan_type character varying(255) NOT NULL,
    member_count integer NOT NULL,
    totals text NOT NULL,
    payload text NOT NULL,
    payload_sha256 character varying(64) NOT NULL,
    signature text NOT NULL,
    pdf bytea NOT NULL,
    pdf_sha256 character varying(64) NOT NULL,
    status character varying(255) NOT NULL,
    return_reason text,
    replaces_id integer,
    received timestamp without time zone NOT NULL,
    decided timestamp without time zone,
    decided_by_id integer
);
CREATE SEQUENCE submission_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE submission_id_seq OWNED BY submission.id;
CREATE TABLE token (
    id integer NOT NULL,
    token_hash character varying(64) NOT NULL,
    kind character varying(255) NOT NULL,
    user_id integer NOT NULL,
    expires timestamp without time zone NOT NULL,
    created timestamp without time zone NOT NULL,
    family character varying(32),
    rotated timestamp without time zone
);
CREATE SEQUENCE token_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE token_id_seq OWNED BY token.id;
CREATE TABLE trade_union (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    org_code character varying(255) NOT NULL,
    union_type character varying(255) NOT NULL,
    level character varying(255) NOT NULL,
    parent_id integer,
    path character varying(255) NOT NULL,
    change_seq bigint NOT NULL,
    created timestamp without time zone NOT NULL
);
CREATE SEQUENCE trade_union_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE trade_union_id_seq OWNED BY trade_union.id;
CREATE TABLE voucher (
    id integer NOT NULL,
    district_batch_id integer NOT NULL,
    uploaded_by_id integer NOT NULL,
    uploaded timestamp without time zone NOT NULL,
    content_type character varying(255) NOT NULL,
    image bytea NOT NULL,
    sha256 character varying(64) NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    status character varying(255) NOT NULL,
    reason text,
    decided timestamp without time zone,
    decided_by_id integer
);
CREATE SEQUENCE voucher_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE voucher_id_seq OWNED BY voucher.id;
ALTER TABLE ONLY account ALTER COLUMN id SET DEFAULT nextval('account_id_seq'::regclass);
ALTER TABLE ONLY audit_entry ALTER COLUMN id SET DEFAULT nextval('audit_entry_id_seq'::regclass);
ALTER TABLE ONLY batch_review ALTER COLUMN id SET DEFAULT nextval('batch_review_id_seq'::regclass);
ALTER TABLE ONLY campaign ALTER COLUMN id SET DEFAULT nextval('campaign_id_seq'::regclass);
ALTER TABLE ONLY card_batch ALTER COLUMN id SET DEFAULT nextval('card_batch_id_seq'::regclass);
ALTER TABLE ONLY card_batch_member ALTER COLUMN id SET DEFAULT nextval('card_batch_member_id_seq'::regclass);
ALTER TABLE ONLY card_job ALTER COLUMN id SET DEFAULT nextval('card_job_id_seq'::regclass);
ALTER TABLE ONLY change ALTER COLUMN id SET DEFAULT nextval('change_id_seq'::regclass);
ALTER TABLE ONLY device ALTER COLUMN id SET DEFAULT nextval('device_id_seq'::regclass);
ALTER TABLE ONLY district_batch ALTER COLUMN id SET DEFAULT nextval('district_batch_id_seq'::regclass);
ALTER TABLE ONLY enrollment ALTER COLUMN id SET DEFAULT nextval('enrollment_id_seq'::regclass);
ALTER TABLE ONLY enterprise ALTER COLUMN id SET DEFAULT nextval('enterprise_id_seq'::regclass);
ALTER TABLE ONLY idempotency_record ALTER COLUMN id SET DEFAULT nextval('idempotency_record_id_seq'::regclass);
ALTER TABLE ONLY login_guard ALTER COLUMN id SET DEFAULT nextval('login_guard_id_seq'::regclass);
ALTER TABLE ONLY member ALTER COLUMN id SET DEFAULT nextval('member_id_seq'::regclass);
ALTER TABLE ONLY nonce ALTER COLUMN id SET DEFAULT nextval('nonce_id_seq'::regclass);
ALTER TABLE ONLY plan_fee ALTER COLUMN id SET DEFAULT nextval('plan_fee_id_seq'::regclass);
ALTER TABLE ONLY registry_entry ALTER COLUMN id SET DEFAULT nextval('registry_entry_id_seq'::regclass);
ALTER TABLE ONLY ss_check_job ALTER COLUMN id SET DEFAULT nextval('ss_check_job_id_seq'::regclass);
ALTER TABLE ONLY submission ALTER COLUMN id SET DEFAULT nextval('submission_id_seq'::regclass);
ALTER TABLE ONLY token ALTER COLUMN id SET DEFAULT nextval('token_id_seq'::regclass);
ALTER TABLE ONLY trade_union ALTER COLUMN id SET DEFAULT nextval('trade_union_id_seq'::regclass);
ALTER TABLE ONLY voucher ALTER COLUMN id SET DEFAULT nextval('voucher_id_seq'::regclass);
INSERT INTO account VALUES (1, 'center', 1, '职保中心 管理员', 'center', 'scrypt$16384$8$1$PFEU9tfFUJsUpT+khdXrhA==$NvEfiHHjthdXnPPlSOSUmrVqqlwke662B2HSAqf8T3k=', 0, NULL, NULL, false, false, '2026-12-01 07:10:59.058313');
INSERT INTO account VALUES (2, 'city', 1, '市总工会 经办人', 'reviewer', 'scrypt$16384$8$1$pEgwZ/8s8R1XEtFU4BQaRg==$Ktr4CJqwCk7rwMwWjNumTjNAgBbYoHCAc5TclMt5XRY=', 0, NULL, NULL, false, false, '2026-12-01 07:10:59.133093');
INSERT INTO account VALUES (4, 'secondary', 3, '南京东路街道总工会 审核人', 'reviewer', 'scrypt$16384$8$1$wwBRiOWZwlEgaQL5PfxpZw==$65MwDN2ythyFRRZvtVGx/gB7C695P+Co+/ZWtNgiOlA=', 0, NULL, NULL, false, false, '2026-12-01 07:10:59.28351');
INSERT INTO account VALUES (6, 'grassroots2', 5, '南京东路街道联合工会 经办人', 'clerk', 'scrypt$16384$8$1$HhFHVbzbwd7UayWoXR6KCw==$VkKCLuYo251syaf8sn7mSgr6TUfSCdqJchCD7WdA7os=', 0, NULL, NULL, false, false, '2026-12-01 07:10:59.398489');
INSERT INTO account VALUES (5, 'grassroots', 4, '示范科技工会 经办人', 'clerk', 'scrypt$16384$8$1$IDJw+H5h1DpVXoSX5/HM7g==$B9N1A9zxps5zLQTe86pdlSTTQB0HKrfqax/8pY96kfo=', 0, NULL, '2026-12-01 07:10:59.607062', false, false, '2026-12-01 07:10:59.341873');
INSERT INTO account VALUES (3, 'district', 2, '黄浦区总工会 审核人', 'reviewer', 'scrypt$16384$8$1$BCcCQeTFvurop0VlIaOQ5A==$PbL7d+R0SSeuUb3hQ2HLe87MtSbNBcUbLKppFTilgJg=', 0, NULL, '2026-12-01 07:10:59.881873', false, false, '2026-12-01 07:10:59.208433');
INSERT INTO audit_entry VALUES (1, '2026-12-01 07:10:58.955971', NULL, 1, 'create_union', 'union', '813100000000000017', '{}');
INSERT INTO audit_entry VALUES (2, '2026-12-01 07:10:58.963456', NULL, 2, 'create_union', 'union', '813101010000000025', '{}');
INSERT INTO audit_entry VALUES (3, '2026-12-01 07:10:58.969434', NULL, 3, 'create_union', 'union', '813101010000000033', '{}');
INSERT INTO audit_entry VALUES (4, '2026-12-01 07:10:58.974681', NULL, 4, 'create_union', 'union', '813101010000000041', '{}');
INSERT INTO audit_entry VALUES (5, '2026-12-01 07:10:58.981503', NULL, 5, 'create_union', 'union', '81310101000000005X', '{}');
INSERT INTO audit_entry VALUES (6, '2026-12-01 07:10:59.061298', NULL, 1, 'create_user', 'user', 'center', '{}');
INSERT INTO audit_entry VALUES (7, '2026-12-01 07:10:59.135181', NULL, 1, 'create_user', 'user', 'city', '{}');
INSERT INTO audit_entry VALUES (8, '2026-12-01 07:10:59.211233', NULL, 2, 'create_user', 'user', 'district', '{}');
INSERT INTO audit_entry VALUES (9, '2026-12-01 07:10:59.285455', NULL, 3, 'create_user', 'user', 'secondary', '{}');
INSERT INTO audit_entry VALUES (10, '2026-12-01 07:10:59.343512', NULL, 4, 'create_user', 'user', 'grassroots', '{}');
INSERT INTO audit_entry VALUES (11, '2026-12-01 07:10:59.400343', NULL, 5, 'create_user', 'user', 'grassroots2', '{}');
INSERT INTO audit_entry VALUES (12, '2026-12-01 07:10:59.623352', 'grassroots', 4, 'login', 'user', 'grassroots', '{}');
INSERT INTO audit_entry VALUES (13, '2026-12-01 07:10:59.645091', 'grassroots', 4, 'register_device', 'device', 'f31e 92d9 34b9 ed9a', '{}');
INSERT INTO audit_entry VALUES (14, '2026-12-01 07:10:59.70625', 'grassroots', 4, 'member_updated', 'member', '3101 **** **** 061X', '{"fields":["label"]}');
INSERT INTO audit_entry VALUES (15, '2026-12-01 07:10:59.731152', 'grassroots', 4, 'ss_check_requested', 'ss_check_job', '1', '{"count":1}');
INSERT INTO audit_entry VALUES (16, '2026-12-01 07:10:59.775943', 'grassroots', 4, 'members_confirmed', 'member', '', '{"count":1}');
INSERT INTO audit_entry VALUES (17, '2026-12-01 07:10:59.819439', 'grassroots', 4, 'submission_received', 'submission', 'JZ-FIXTURE-1', '{"channel":"card","count":5,"plan_type":"A"}');
INSERT INTO audit_entry VALUES (18, '2026-12-01 07:10:59.891812', 'district', 2, 'login', 'user', 'district', '{}');
INSERT INTO audit_entry VALUES (19, '2026-12-01 07:10:59.918856', 'district', 4, 'submission_returned', 'submission', 'JZ-FIXTURE-1', '{"reason":"名单需补充"}');
INSERT INTO audit_entry VALUES (20, '2026-12-01 07:10:59.95614', 'grassroots', 4, 'submission_received', 'submission', 'JZ-FIXTURE-2', '{"channel":"card","count":5,"plan_type":"A"}');
INSERT INTO audit_entry VALUES (21, '2026-12-01 07:10:59.985088', 'grassroots', 4, 'card_verification_requested', 'card_job', '1', '{"count":1}');
INSERT INTO audit_entry VALUES (22, '2026-12-01 07:11:00.014382', 'grassroots', 4, 'card_batch_received', 'card_batch', 'BK-FIXTURE-1', '{"accepted":1,"count":1,"refused":0}');
INSERT INTO campaign VALUES (1, 2027, '2026-11-28', '2026-12-04', '2026-11-01', '2026-12-31', '2026-11-30', '2027-01-10', '2027-01-01', '2027-12-31', 0, '上海市职工保障互助中心会员专享保障专户', '316023-03002745697', '上海银行人民广场支行', '{"enabled":true,"from_month":7,"price_factor":"0.5"}', '2026-12-01 07:10:59.40237', NULL, NULL, 1);
INSERT INTO card_batch VALUES (1, 4, 5, 1, 'BK-FIXTURE-1', 1, 1, 0, 'done', '{"batch_no":"BK-FIXTURE-1","members":[{"id_number":"310101198512252625","name":"唐国"}],"union":"813101010000000041"}', '6f82d2ba388b3e4e6aa87603db3fae14060b9297e4ec87d590d35ba41af73ce0', 'eDkxuQyNLu8qwt/1jLOCBbrbjNaKwluCQ0dHZ4PsHoFSlz6i7ztNKqK4G1dR2Y0YCq04/ClkH5g8zUjAvl56Bw==', '2026-12-01 07:11:00.00521', '2026-12-01 07:11:00.03683');
INSERT INTO card_batch_member VALUES (1, 1, '310101198512252625', '唐国', 'issued', '6231800000000000015', NULL, '2026-12-01 07:11:00.03683');
INSERT INTO card_job VALUES (1, 4, 'verify', 5, 'a4700f8cb1b14cf582465b9b6e9b1454', '["310101198512252625"]', NULL, 'done', '2026-12-01 07:10:59.9827', 'fixture', '2026-12-01 07:11:00.018731', '2026-12-01 07:11:00.024517', '2026-12-01 07:10:59.9827');
INSERT INTO card_job VALUES (2, 4, 'issue', 5, NULL, NULL, 1, 'done', '2026-12-01 07:11:00.00521', 'fixture', '2026-12-01 07:11:00.030239', '2026-12-01 07:11:00.03683', '2026-12-01 07:11:00.00521');
INSERT INTO change VALUES (1, 1, 1, 'campaign', '2027', '{"bank_account":{"bank":"上海银行人民广场支行","name":"上海市职工保障互助中心会员专享保障专户","number":"316023-03002745697"},"enrollment_closes_at":"2026-12-31T16:00:00Z","grace_seconds":0,"half_year":{"enabled":true,"from_month":7,"price_factor":"0.5"},"payment_deadline":"2026-12-31","plan_types":[{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00","label":"A类会员专享基本保障","plan_type":"A","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"8.00","district":"8.00","fee":"16.00","grassroots":"0.00","label":"B类会员专享基本保障","plan_type":"B","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"26.00","district":"26.00","fee":"52.00","grassroots":"0.00","label":"A+类会员专享基本保障","plan_type":"A_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"18.00","district":"18.00","fee":"36.00","grassroots":"0.00","label":"B+类会员专享基本保障","plan_type":"B_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"}],"plan_year":2027,"timezone":"+08:00","union_categories":["linked_enterprise"],"updated":"2026-12-01T07:10:59.402370Z","windows":{"coverage":{"end":"2027-12-31","start":"2027-01-01"},"enrollment":{"end":"2026-12-31","start":"2026-11-01"},"fee_window":{"end":"2026-12-04","start":"2026-11-28"},"submission_window":{"end":"2027-01-10","start":"2026-11-30"}}}', '2026-12-01 07:10:59.416682');
INSERT INTO change VALUES (2, 2, 1, 'campaign', '2027', '{"bank_account":{"bank":"上海银行人民广场支行","name":"上海市职工保障互助中心会员专享保障专户","number":"316023-03002745697"},"enrollment_closes_at":"2026-12-31T16:00:00Z","grace_seconds":0,"half_year":{"enabled":true,"from_month":7,"price_factor":"0.5"},"payment_deadline":"2026-12-31","plan_types":[{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00","label":"A类会员专享基本保障","plan_type":"A","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"8.00","district":"8.00","fee":"16.00","grassroots":"0.00","label":"B类会员专享基本保障","plan_type":"B","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"26.00","district":"26.00","fee":"52.00","grassroots":"0.00","label":"A+类会员专享基本保障","plan_type":"A_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"18.00","district":"18.00","fee":"36.00","grassroots":"0.00","label":"B+类会员专享基本保障","plan_type":"B_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"}],"plan_year":2027,"timezone":"+08:00","union_categories":["linked_enterprise"],"updated":"2026-12-01T07:10:59.402370Z","windows":{"coverage":{"end":"2027-12-31","start":"2027-01-01"},"enrollment":{"end":"2026-12-31","start":"2026-11-01"},"fee_window":{"end":"2026-12-04","start":"2026-11-28"},"submission_window":{"end":"2027-01-10","start":"2026-11-30"}}}', '2026-12-01 07:10:59.422156');
INSERT INTO change VALUES (3, 3, 1, 'campaign', '2027', '{"bank_account":{"bank":"上海银行人民广场支行","name":"上海市职工保障互助中心会员专享保障专户","number":"316023-03002745697"},"enrollment_closes_at":"2026-12-31T16:00:00Z","grace_seconds":0,"half_year":{"enabled":true,"from_month":7,"price_factor":"0.5"},"payment_deadline":"2026-12-31","plan_types":[{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00","label":"A类会员专享基本保障","plan_type":"A","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"8.00","district":"8.00","fee":"16.00","grassroots":"0.00","label":"B类会员专享基本保障","plan_type":"B","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"26.00","district":"26.00","fee":"52.00","grassroots":"0.00","label":"A+类会员专享基本保障","plan_type":"A_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"18.00","district":"18.00","fee":"36.00","grassroots":"0.00","label":"B+类会员专享基本保障","plan_type":"B_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"}],"plan_year":2027,"timezone":"+08:00","union_categories":["linked_enterprise"],"updated":"2026-12-01T07:10:59.402370Z","windows":{"coverage":{"end":"2027-12-31","start":"2027-01-01"},"enrollment":{"end":"2026-12-31","start":"2026-11-01"},"fee_window":{"end":"2026-12-04","start":"2026-11-28"},"submission_window":{"end":"2027-01-10","start":"2026-11-30"}}}', '2026-12-01 07:10:59.427988');
INSERT INTO change VALUES (4, 4, 1, 'campaign', '2027', '{"bank_account":{"bank":"上海银行人民广场支行","name":"上海市职工保障互助中心会员专享保障专户","number":"316023-03002745697"},"enrollment_closes_at":"2026-12-31T16:00:00Z","grace_seconds":0,"half_year":{"enabled":true,"from_month":7,"price_factor":"0.5"},"payment_deadline":"2026-12-31","plan_types":[{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00","label":"A类会员专享基本保障","plan_type":"A","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"8.00","district":"8.00","fee":"16.00","grassroots":"0.00","label":"B类会员专享基本保障","plan_type":"B","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"26.00","district":"26.00","fee":"52.00","grassroots":"0.00","label":"A+类会员专享基本保障","plan_type":"A_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"18.00","district":"18.00","fee":"36.00","grassroots":"0.00","label":"B+类会员专享基本保障","plan_type":"B_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"}],"plan_year":2027,"timezone":"+08:00","union_categories":["linked_enterprise"],"updated":"2026-12-01T07:10:59.402370Z","windows":{"coverage":{"end":"2027-12-31","start":"2027-01-01"},"enrollment":{"end":"2026-12-31","start":"2026-11-01"},"fee_window":{"end":"2026-12-04","start":"2026-11-28"},"submission_window":{"end":"2027-01-10","start":"2026-11-30"}}}', '2026-12-01 07:10:59.433856');
INSERT INTO change VALUES (5, 5, 1, 'campaign', '2027', '{"bank_account":{"bank":"上海银行人民广场支行","name":"上海市职工保障互助中心会员专享保障专户","number":"316023-03002745697"},"enrollment_closes_at":"2026-12-31T16:00:00Z","grace_seconds":0,"half_year":{"enabled":true,"from_month":7,"price_factor":"0.5"},"payment_deadline":"2026-12-31","plan_types":[{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00","label":"A类会员专享基本保障","plan_type":"A","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"8.00","district":"8.00","fee":"16.00","grassroots":"0.00","label":"B类会员专享基本保障","plan_type":"B","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"26.00","district":"26.00","fee":"52.00","grassroots":"0.00","label":"A+类会员专享基本保障","plan_type":"A_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"},{"city":"18.00","district":"18.00","fee":"36.00","grassroots":"0.00","label":"B+类会员专享基本保障","plan_type":"B_PLUS","valid_from":"2027-01-01","valid_to":"2027-12-31"}],"plan_year":2027,"timezone":"+08:00","union_categories":["linked_enterprise"],"updated":"2026-12-01T07:10:59.402370Z","windows":{"coverage":{"end":"2027-12-31","start":"2027-01-01"},"enrollment":{"end":"2026-12-31","start":"2026-11-01"},"fee_window":{"end":"2026-12-04","start":"2026-11-28"},"submission_window":{"end":"2027-01-10","start":"2026-11-30"}}}', '2026-12-01 07:10:59.440059');
INSERT INTO change VALUES (35, 4, 19, 'submission', 'JZ-FIXTURE-1', '{"batch_no":"JZ-FIXTURE-1","channel":"card","decided_at":"2026-12-01T07:10:59.914851Z","kind":"central","member_count":5,"plan_type":"A","plan_year":2027,"received_at":"2026-12-01T07:10:59.812116Z","replaces":null,"return_reason":"名单需补充","status":"returned","submission_id":1,"totals":{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"}}', '2026-12-01 07:10:59.917953');
INSERT INTO change VALUES (6, 4, 2, 'member', '31010119790721061X', '{"birth_date":"1979-07-21","card_no":"6231186091390996030","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"male","id_expiry":"长期","id_number":"31010119790721061X","id_type":"mainland","insurance_status":"paid","join_date":"2018-02-08","label":null,"life_status":"in_service","member_no":"04000001","name":"蒋文","phone":"13492655486","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区福州路39号"}', '2026-12-01 07:10:59.447991');
INSERT INTO change VALUES (7, 4, 3, 'member', '310101198807056904', '{"birth_date":"1988-07-05","card_no":"6231190937865797543","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"female","id_expiry":"2034-05-31","id_number":"310101198807056904","id_type":"mainland","insurance_status":"pending","join_date":"2008-09-23","label":null,"life_status":"in_service","member_no":"04000002","name":"苏强","phone":"18701571670","post_type":"worker","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区江西中路585号"}', '2026-12-01 07:10:59.451762');
INSERT INTO change VALUES (8, 4, 4, 'member', '310101198502193887', '{"birth_date":"1985-02-19","card_no":"6231601895559797114","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"female","id_expiry":"2033-07-24","id_number":"310101198502193887","id_type":"mainland","insurance_status":"pending","join_date":"2015-03-16","label":"新会员","life_status":"in_service","member_no":"04000003","name":"邓佳静","phone":"18883235912","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区九江路525号"}', '2026-12-01 07:10:59.454782');
INSERT INTO change VALUES (9, 4, 5, 'member', '310101196607080310', '{"birth_date":"1966-07-08","card_no":"6231313735379907511","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"male","id_expiry":"长期","id_number":"310101196607080310","id_type":"mainland","insurance_status":"paid","join_date":"2016-06-03","label":"劳模","life_status":"in_service","member_no":"04000004","name":"林梓","phone":"18607063907","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区江西中路980号"}', '2026-12-01 07:10:59.457742');
INSERT INTO change VALUES (10, 4, 6, 'member', '310101197508275600', '{"birth_date":"1975-08-27","card_no":"6231024264628897514","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"female","id_expiry":"长期","id_number":"310101197508275600","id_type":"mainland","insurance_status":"paid","join_date":"2007-05-09","label":null,"life_status":"in_service","member_no":"04000005","name":"田文静","phone":"19455943145","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区九江路941号"}', '2026-12-01 07:10:59.461017');
INSERT INTO change VALUES (11, 4, 7, 'member', '310101196401211151', '{"birth_date":"1964-01-21","card_no":"6231920831240234483","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"male","id_expiry":"长期","id_number":"310101196401211151","id_type":"mainland","insurance_status":"paid","join_date":"2022-07-09","label":null,"life_status":"retired","member_no":"04000006","name":"胡超","phone":"13753025528","post_type":"unknown","retired_on":"2025-05-01","ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区九江路465号"}', '2026-12-01 07:10:59.464047');
INSERT INTO change VALUES (12, 4, 8, 'member', '31010120021106345X', '{"birth_date":"2002-11-06","card_no":"6231678684335326502","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"male","id_expiry":"2028-03-19","id_number":"31010120021106345X","id_type":"mainland","insurance_status":"paid","join_date":"2012-08-04","label":null,"life_status":"deceased","member_no":"04000007","name":"王雨","phone":"18139674064","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区四川中路565号"}', '2026-12-01 07:10:59.466809');
INSERT INTO change VALUES (13, 4, 9, 'member', 'H17435808', '{"birth_date":"1986-07-06","card_no":"6231045585304352056","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"male","id_expiry":"2028-12-16","id_number":"H17435808","id_type":"hk_macao","insurance_status":"paid","join_date":"2010-05-15","label":"新会员","life_status":"in_service","member_no":"04000008","name":"程佳明","phone":"19643252063","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区广东路47号"}', '2026-12-01 07:10:59.469666');
INSERT INTO change VALUES (14, 4, 10, 'member', '310101198709212539', '{"birth_date":"1987-09-21","card_no":"6231319829657249208","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"male","id_expiry":"2026-12-11","id_number":"310101198709212539","id_type":"mainland","insurance_status":"paid","join_date":"2014-05-21","label":"新会员","life_status":"in_service","member_no":"04000009","name":"杨兰","phone":"13383648961","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区江西中路43号"}', '2026-12-01 07:10:59.472346');
INSERT INTO change VALUES (36, 4, 20, 'submission', 'JZ-FIXTURE-2', '{"batch_no":"JZ-FIXTURE-2","channel":"card","decided_at":null,"kind":"central","member_count":5,"plan_type":"A","plan_year":2027,"received_at":"2026-12-01T07:10:59.949959Z","replaces":"JZ-FIXTURE-1","return_reason":null,"status":"under_review","submission_id":2,"totals":{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"}}', '2026-12-01 07:10:59.955333');
INSERT INTO change VALUES (15, 4, 11, 'member', '31010120020317968X', '{"birth_date":"2002-03-17","card_no":"6231083740718818174","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"female","id_expiry":"2026-11-22","id_number":"31010120020317968X","id_type":"mainland","insurance_status":"paid","join_date":"2019-09-02","label":null,"life_status":"in_service","member_no":"04000010","name":"李军","phone":"15191366527","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区延安东路983号"}', '2026-12-01 07:10:59.475293');
INSERT INTO change VALUES (16, 4, 12, 'member', '310101198512252625', '{"birth_date":"1985-12-25","card_no":null,"card_status":"none","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"female","id_expiry":"2036-04-22","id_number":"310101198512252625","id_type":"mainland","insurance_status":null,"join_date":"2007-10-05","label":null,"life_status":"in_service","member_no":"04000011","name":"唐国","phone":"19630373463","post_type":"managerial","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区广东路786号"}', '2026-12-01 07:10:59.478236');
INSERT INTO change VALUES (17, 4, 13, 'member', '310101198910191717', '{"birth_date":"1989-10-19","card_no":"6231477718341704718","card_status":"issued","category":"flexible","employment_status":null,"enterprise_name":null,"gender":"male","id_expiry":"2033-06-02","id_number":"310101198910191717","id_type":"mainland","insurance_status":"paid","join_date":"2014-12-17","label":"新会员","life_status":"in_service","member_no":"04000012","name":"何梓","phone":"13621621687","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区福州路692号"}', '2026-12-01 07:10:59.480805');
INSERT INTO change VALUES (18, 5, 2, 'member', '310101199403079012', '{"birth_date":"1994-03-07","card_no":"6231361730486761411","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海外滩餐饮管理有限公司","gender":"male","id_expiry":"2028-12-18","id_number":"310101199403079012","id_type":"mainland","insurance_status":"paid","join_date":"2017-08-19","label":"新会员","life_status":"in_service","member_no":"05000001","name":"肖兰","phone":"15365687733","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区南京东路471号"}', '2026-12-01 07:10:59.487584');
INSERT INTO change VALUES (19, 5, 3, 'member', '310101199402220758', '{"birth_date":"1994-02-22","card_no":"6231329797485622918","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海金陵设计工作室","gender":"male","id_expiry":"2030-08-22","id_number":"310101199402220758","id_type":"mainland","insurance_status":"pending","join_date":"2006-08-23","label":null,"life_status":"in_service","member_no":"05000002","name":"叶怡","phone":"13634273031","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区汉口路622号"}', '2026-12-01 07:10:59.490698');
INSERT INTO change VALUES (20, 5, 4, 'member', '310101199211276388', '{"birth_date":"1992-11-27","card_no":"6231304534064646261","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海金陵设计工作室","gender":"female","id_expiry":"2035-01-03","id_number":"310101199211276388","id_type":"mainland","insurance_status":"pending","join_date":"2022-04-12","label":null,"life_status":"in_service","member_no":"05000003","name":"吴斌霞","phone":"15431562137","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区四川中路673号"}', '2026-12-01 07:10:59.493451');
INSERT INTO change VALUES (21, 5, 5, 'member', '310101196607015439', '{"birth_date":"1966-07-01","card_no":"6231194448446353387","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海金陵设计工作室","gender":"male","id_expiry":"长期","id_number":"310101196607015439","id_type":"mainland","insurance_status":"paid","join_date":"2013-07-25","label":"新会员","life_status":"in_service","member_no":"05000004","name":"田秀","phone":"19983356759","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区汉口路71号"}', '2026-12-01 07:10:59.495556');
INSERT INTO change VALUES (22, 5, 6, 'member', '310101197507127286', '{"birth_date":"1975-07-12","card_no":"6231237595565025003","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海外滩餐饮管理有限公司","gender":"female","id_expiry":"长期","id_number":"310101197507127286","id_type":"mainland","insurance_status":"paid","join_date":"2025-02-16","label":null,"life_status":"in_service","member_no":"05000005","name":"肖佳","phone":"13500202246","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区延安东路367号"}', '2026-12-01 07:10:59.497595');
INSERT INTO change VALUES (23, 5, 7, 'member', '310101196405058246', '{"birth_date":"1964-05-05","card_no":"6231177529159757963","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海外滩餐饮管理有限公司","gender":"female","id_expiry":"长期","id_number":"310101196405058246","id_type":"mainland","insurance_status":"paid","join_date":"2017-08-15","label":"劳模","life_status":"retired","member_no":"05000006","name":"邓怡轩","phone":"13940976508","post_type":"managerial","retired_on":"2025-03-01","ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区广东路466号"}', '2026-12-01 07:10:59.501452');
INSERT INTO change VALUES (24, 5, 8, 'member', '31010119810317040X', '{"birth_date":"1981-03-17","card_no":"6231000294400355163","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海外滩餐饮管理有限公司","gender":"female","id_expiry":"2034-02-27","id_number":"31010119810317040X","id_type":"mainland","insurance_status":"paid","join_date":"2011-06-11","label":null,"life_status":"deceased","member_no":"05000007","name":"吴超杰","phone":"18333705767","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区九江路15号"}', '2026-12-01 07:10:59.503555');
INSERT INTO change VALUES (25, 5, 9, 'member', 'H37186087', '{"birth_date":"1976-09-17","card_no":"6231596046304175230","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海南东商贸有限公司","gender":"female","id_expiry":"长期","id_number":"H37186087","id_type":"hk_macao","insurance_status":"paid","join_date":"2026-12-25","label":null,"life_status":"in_service","member_no":"05000008","name":"吕磊红","phone":"19911737722","post_type":"worker","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区四川中路152号"}', '2026-12-01 07:10:59.505702');
INSERT INTO change VALUES (26, 5, 10, 'member', '310101198905106653', '{"birth_date":"1989-05-10","card_no":"6231165887795929271","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海南东商贸有限公司","gender":"male","id_expiry":"2026-12-13","id_number":"310101198905106653","id_type":"mainland","insurance_status":"paid","join_date":"2015-04-21","label":"新会员","life_status":"in_service","member_no":"05000009","name":"马杰","phone":"19953281665","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区九江路827号"}', '2026-12-01 07:10:59.50769');
INSERT INTO change VALUES (27, 5, 11, 'member', '310101199110067130', '{"birth_date":"1991-10-06","card_no":"6231396056541167690","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海外滩餐饮管理有限公司","gender":"male","id_expiry":"2026-08-10","id_number":"310101199110067130","id_type":"mainland","insurance_status":"paid","join_date":"2023-03-22","label":"新会员","life_status":"in_service","member_no":"05000010","name":"魏欣","phone":"15462690833","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区广东路74号"}', '2026-12-01 07:10:59.509719');
INSERT INTO change VALUES (28, 5, 12, 'member', '310101198201250198', '{"birth_date":"1982-01-25","card_no":null,"card_status":"none","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海南东商贸有限公司","gender":"male","id_expiry":"2035-09-21","id_number":"310101198201250198","id_type":"mainland","insurance_status":null,"join_date":"2019-05-03","label":null,"life_status":"in_service","member_no":"05000011","name":"吕怡强","phone":"18499995358","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区江西中路180号"}', '2026-12-01 07:10:59.511707');
INSERT INTO change VALUES (29, 5, 13, 'member', '310101197401114479', '{"birth_date":"1974-01-11","card_no":"6231380886787219982","card_status":"issued","category":"flexible","employment_status":null,"enterprise_name":null,"gender":"male","id_expiry":"长期","id_number":"310101197401114479","id_type":"mainland","insurance_status":"paid","join_date":"2020-08-19","label":null,"life_status":"in_service","member_no":"05000012","name":"蔡志","phone":"18623158163","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区广东路644号"}', '2026-12-01 07:10:59.513703');
INSERT INTO change VALUES (30, 4, 14, 'device', 'f31e 92d9 34b9 ed9a', '{"fingerprint":"f31e 92d9 34b9 ed9a","label":"fixture","registered":"2026-12-01T07:10:59.643454Z","revoked":null,"username":"grassroots"}', '2026-12-01 07:10:59.647288');
INSERT INTO change VALUES (31, 4, 15, 'member', '31010119790721061X', '{"birth_date":"1979-07-21","card_no":"6231186091390996030","card_status":"issued","category":"linked_enterprise","employment_status":null,"enterprise_name":"上海示范科技有限公司","gender":"male","id_expiry":"长期","id_number":"31010119790721061X","id_type":"mainland","insurance_status":"paid","join_date":"2018-02-08","label":"组长","life_status":"in_service","member_no":"04000001","name":"蒋文","phone":"13492655486","post_type":"unknown","retired_on":null,"ss_card_status":null,"ss_checked":null,"version":2,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":2,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区福州路39号"}', '2026-12-01 07:10:59.704652');
INSERT INTO change VALUES (32, 4, 16, 'ss_check', '310101198512252625', '{"checked_at":"2026-12-01T07:10:59.741073Z","employment_status":"unknown","id_number":"310101198512252625","insurance_status":"pending","job_id":1,"ss_card_status":"normal"}', '2026-12-01 07:10:59.744892');
INSERT INTO change VALUES (33, 4, 17, 'member', '310101198512252625', '{"birth_date":"1985-12-25","card_no":null,"card_status":"none","category":"linked_enterprise","employment_status":"unknown","enterprise_name":"上海示范科技有限公司","gender":"female","id_expiry":"2036-04-22","id_number":"310101198512252625","id_type":"mainland","insurance_status":"confirmed","join_date":"2007-10-05","label":null,"life_status":"in_service","member_no":"04000011","name":"唐国","phone":"19630373463","post_type":"managerial","retired_on":null,"ss_card_status":"normal","ss_checked":"2026-12-01T07:10:59.741073Z","version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区广东路786号"}', '2026-12-01 07:10:59.774864');
INSERT INTO change VALUES (34, 4, 18, 'submission', 'JZ-FIXTURE-1', '{"batch_no":"JZ-FIXTURE-1","channel":"card","decided_at":null,"kind":"central","member_count":5,"plan_type":"A","plan_year":2027,"received_at":"2026-12-01T07:10:59.812116Z","replaces":null,"return_reason":null,"status":"under_review","submission_id":1,"totals":{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"}}', '2026-12-01 07:10:59.818723');
INSERT INTO change VALUES (39, 4, 23, 'card_check', '310101198512252625', '{"checked_at":"2026-12-01T07:11:00.024517Z","code":"card_applying","id_number":"310101198512252625","reason":"该会员的会员卡正在办理中，请勿重复申请。","request_id":"a4700f8cb1b14cf582465b9b6e9b1454","result":"failed"}', '2026-12-01 07:11:00.028157');
INSERT INTO change VALUES (37, 4, 21, 'member', '310101198512252625', '{"birth_date":"1985-12-25","card_no":null,"card_status":"applying","category":"linked_enterprise","employment_status":"unknown","enterprise_name":"上海示范科技有限公司","gender":"female","id_expiry":"2036-04-22","id_number":"310101198512252625","id_type":"mainland","insurance_status":"confirmed","join_date":"2007-10-05","label":null,"life_status":"in_service","member_no":"04000011","name":"唐国","phone":"19630373463","post_type":"managerial","retired_on":null,"ss_card_status":"normal","ss_checked":"2026-12-01T07:10:59.741073Z","version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区广东路786号"}', '2026-12-01 07:11:00.008713');
INSERT INTO change VALUES (38, 4, 22, 'card_batch', 'BK-FIXTURE-1', '{"batch_no":"BK-FIXTURE-1","issued":0,"member_count":1,"members":[{"card_no":null,"id_number":"310101198512252625","outcome":"pending","reason":null}],"received_at":"2026-12-01T07:11:00.005210Z","refused":0,"status":"issuing","submitted_by":"grassroots","updated_at":"2026-12-01T07:11:00.005210Z"}', '2026-12-01 07:11:00.013803');
INSERT INTO change VALUES (40, 4, 24, 'member', '310101198512252625', '{"birth_date":"1985-12-25","card_no":"6231800000000000015","card_status":"issued","category":"linked_enterprise","employment_status":"unknown","enterprise_name":"上海示范科技有限公司","gender":"female","id_expiry":"2036-04-22","id_number":"310101198512252625","id_type":"mainland","insurance_status":"confirmed","join_date":"2007-10-05","label":null,"life_status":"in_service","member_no":"04000011","name":"唐国","phone":"19630373463","post_type":"managerial","retired_on":null,"ss_card_status":"normal","ss_checked":"2026-12-01T07:10:59.741073Z","version":1,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1},"work_address":"上海市黄浦区广东路786号"}', '2026-12-01 07:11:00.042144');
INSERT INTO change VALUES (41, 4, 25, 'card_batch', 'BK-FIXTURE-1', '{"batch_no":"BK-FIXTURE-1","issued":1,"member_count":1,"members":[{"card_no":"6231800000000000015","id_number":"310101198512252625","outcome":"issued","reason":null}],"received_at":"2026-12-01T07:11:00.005210Z","refused":0,"status":"done","submitted_by":"grassroots","updated_at":"2026-12-01T07:11:00.036830Z"}', '2026-12-01 07:11:00.048609');
INSERT INTO device VALUES (1, 5, 'Ofq9NIn0qYggJnZPYuXPiR2g0Nz459lupYxRND2V5HQ=', 'f31e 92d9 34b9 ed9a', 'fixture', '2026-12-01 07:10:59.643454', NULL);
INSERT INTO enrollment VALUES (6, 2027, '31010119790721061X', 4, 2, 'card');
INSERT INTO enrollment VALUES (7, 2027, '310101196607080310', 4, 2, 'card');
INSERT INTO enrollment VALUES (8, 2027, '310101197508275600', 4, 2, 'card');
INSERT INTO enrollment VALUES (9, 2027, '310101198709212539', 4, 2, 'card');
INSERT INTO enrollment VALUES (10, 2027, '31010120020317968X', 4, 2, 'card');
INSERT INTO enterprise VALUES (1, 4, '上海示范科技有限公司', NULL);
INSERT INTO enterprise VALUES (2, 5, '上海南东商贸有限公司', NULL);
INSERT INTO enterprise VALUES (3, 5, '上海外滩餐饮管理有限公司', NULL);
INSERT INTO enterprise VALUES (4, 5, '上海金陵设计工作室', NULL);
INSERT INTO idempotency_record VALUES (1, 'a4cd75ce-cc90-41a2-aeb9-6fe0d2669bd4', 4, 5, 'member_upsert', '5b1078702b5e175b2366adb223c85371971484fa380fb3aef0436dc589f71ef6', '{"key":"a4cd75ce-cc90-41a2-aeb9-6fe0d2669bd4","receipt":{"changed":["label"],"created":false,"id_number":"31010119790721061X","version":2,"versions":{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":2,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}},"status":"ok"}', '2026-12-01 07:10:59.707464');
INSERT INTO idempotency_record VALUES (2, '8a425ba6-26a9-4be8-a4ca-7f0309b4b74c', 4, 5, 'ss_check_request', '452022073179a2a487af4a27804e3ca382d22b55f0ad10a0d1803317d7ff282a', '{"key":"8a425ba6-26a9-4be8-a4ca-7f0309b4b74c","receipt":{"count":1,"job_id":1,"not_before":"2026-12-01T07:10:59Z"},"status":"ok"}', '2026-12-01 07:10:59.731876');
INSERT INTO idempotency_record VALUES (3, '9df1ba1b-01bc-4cc2-84f1-1b235f95b1ed', 4, 5, 'confirmation', '452022073179a2a487af4a27804e3ca382d22b55f0ad10a0d1803317d7ff282a', '{"key":"9df1ba1b-01bc-4cc2-84f1-1b235f95b1ed","receipt":{"already_confirmed":0,"confirmed":1},"status":"ok"}', '2026-12-01 07:10:59.776993');
INSERT INTO idempotency_record VALUES (4, 'c605034d-9ad6-4eeb-9a57-2782df5c6c55', 4, 5, 'submission', '183af64eb9d5ce3d9fe175b69d8a0220518b65182d6d897501bf9a79109c9b41', '{"key":"c605034d-9ad6-4eeb-9a57-2782df5c6c55","receipt":{"batch_no":"JZ-FIXTURE-1","coverage":{"end":"2027-12-31","period":"full","start":"2027-01-01"},"fee_split":{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00"},"member_count":5,"payload_sha256":"183af64eb9d5ce3d9fe175b69d8a0220518b65182d6d897501bf9a79109c9b41","received_at":"2026-12-01T07:10:59Z","received_on":"2026-12-01","signature_fingerprint":"f31e 92d9 34b9 ed9a","status":"under_review","submission_id":1,"totals":{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"},"warnings":[{"id_number":"310101196607080310","reason":"probably_retired"},{"id_number":"310101197508275600","reason":"probably_retired"}]},"status":"ok"}', '2026-12-01 07:10:59.820203');
INSERT INTO idempotency_record VALUES (5, 'fc26b009-e968-4a33-8ada-795183decd6c', 4, 5, 'submission', '782a79b93c75e9113c8b7963310c8c2c523c536773e3505370ee2174d0d34d47', '{"key":"fc26b009-e968-4a33-8ada-795183decd6c","receipt":{"batch_no":"JZ-FIXTURE-2","coverage":{"end":"2027-12-31","period":"full","start":"2027-01-01"},"fee_split":{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00"},"member_count":5,"payload_sha256":"782a79b93c75e9113c8b7963310c8c2c523c536773e3505370ee2174d0d34d47","received_at":"2026-12-01T07:10:59Z","received_on":"2026-12-01","signature_fingerprint":"f31e 92d9 34b9 ed9a","status":"under_review","submission_id":2,"totals":{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"},"warnings":[{"id_number":"310101196607080310","reason":"probably_retired"},{"id_number":"310101197508275600","reason":"probably_retired"}]},"status":"ok"}', '2026-12-01 07:10:59.956967');
INSERT INTO idempotency_record VALUES (6, '1a97d8c1-7469-4113-8520-707fffecbed1', 4, 5, 'card_verification', '301ce1d3d4678deeb865dfdd795889c779e8a0a3182f22f2dd60b7dbd2f9cee3', '{"key":"1a97d8c1-7469-4113-8520-707fffecbed1","receipt":{"count":1,"job_id":1,"not_before":"2026-12-01T07:10:59Z","request_id":"a4700f8cb1b14cf582465b9b6e9b1454"},"status":"ok"}', '2026-12-01 07:10:59.98605');
INSERT INTO idempotency_record VALUES (7, '856b5f77-af13-4571-855e-718a2610a588', 4, 5, 'card_batch', '6f82d2ba388b3e4e6aa87603db3fae14060b9297e4ec87d590d35ba41af73ce0', '{"key":"856b5f77-af13-4571-855e-718a2610a588","receipt":{"accepted":1,"batch_no":"BK-FIXTURE-1","refused":0,"status":"issuing"},"status":"ok"}', '2026-12-01 07:11:00.014989');
INSERT INTO login_guard VALUES (2, 'user:grassroots', 0, '2026-12-01 07:10:59.607472', NULL, '2026-12-01 07:10:59.607472');
INSERT INTO login_guard VALUES (4, 'user:district', 0, '2026-12-01 07:10:59.882295', NULL, '2026-12-01 07:10:59.882295');
INSERT INTO login_guard VALUES (1, 'addr:testclient', 0, '2026-12-01 07:10:59.538186', NULL, '2026-12-01 07:10:59.882295');
INSERT INTO member VALUES (2, 4, '310101198807056904', '04000002', '苏强', 'mainland', '2034-05-31', 'female', '1988-07-05', '18701571670', '上海市黄浦区江西中路585号', NULL, 'linked_enterprise', '上海示范科技有限公司', '2008-09-23', 'worker', 'in_service', NULL, '6231190937865797543', 'issued', NULL, NULL, 'pending', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (3, 4, '310101198502193887', '04000003', '邓佳静', 'mainland', '2033-07-24', 'female', '1985-02-19', '18883235912', '上海市黄浦区九江路525号', '新会员', 'linked_enterprise', '上海示范科技有限公司', '2015-03-16', 'unknown', 'in_service', NULL, '6231601895559797114', 'issued', NULL, NULL, 'pending', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (4, 4, '310101196607080310', '04000004', '林梓', 'mainland', '长期', 'male', '1966-07-08', '18607063907', '上海市黄浦区江西中路980号', '劳模', 'linked_enterprise', '上海示范科技有限公司', '2016-06-03', 'unknown', 'in_service', NULL, '6231313735379907511', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (5, 4, '310101197508275600', '04000005', '田文静', 'mainland', '长期', 'female', '1975-08-27', '19455943145', '上海市黄浦区九江路941号', NULL, 'linked_enterprise', '上海示范科技有限公司', '2007-05-09', 'unknown', 'in_service', NULL, '6231024264628897514', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (6, 4, '310101196401211151', '04000006', '胡超', 'mainland', '长期', 'male', '1964-01-21', '13753025528', '上海市黄浦区九江路465号', NULL, 'linked_enterprise', '上海示范科技有限公司', '2022-07-09', 'unknown', 'retired', '2025-05-01', '6231920831240234483', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (7, 4, '31010120021106345X', '04000007', '王雨', 'mainland', '2028-03-19', 'male', '2002-11-06', '18139674064', '上海市黄浦区四川中路565号', NULL, 'linked_enterprise', '上海示范科技有限公司', '2012-08-04', 'unknown', 'deceased', NULL, '6231678684335326502', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (8, 4, 'H17435808', '04000008', '程佳明', 'hk_macao', '2028-12-16', 'male', '1986-07-06', '19643252063', '上海市黄浦区广东路47号', '新会员', 'linked_enterprise', '上海示范科技有限公司', '2010-05-15', 'unknown', 'in_service', NULL, '6231045585304352056', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (9, 4, '310101198709212539', '04000009', '杨兰', 'mainland', '2026-12-11', 'male', '1987-09-21', '13383648961', '上海市黄浦区江西中路43号', '新会员', 'linked_enterprise', '上海示范科技有限公司', '2014-05-21', 'unknown', 'in_service', NULL, '6231319829657249208', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (10, 4, '31010120020317968X', '04000010', '李军', 'mainland', '2026-11-22', 'female', '2002-03-17', '15191366527', '上海市黄浦区延安东路983号', NULL, 'linked_enterprise', '上海示范科技有限公司', '2019-09-02', 'unknown', 'in_service', NULL, '6231083740718818174', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (12, 4, '310101198910191717', '04000012', '何梓', 'mainland', '2033-06-02', 'male', '1989-10-19', '13621621687', '上海市黄浦区福州路692号', '新会员', 'flexible', NULL, '2014-12-17', 'unknown', 'in_service', NULL, '6231477718341704718', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.444656');
INSERT INTO member VALUES (13, 5, '310101199403079012', '05000001', '肖兰', 'mainland', '2028-12-18', 'male', '1994-03-07', '15365687733', '上海市黄浦区南京东路471号', '新会员', 'linked_enterprise', '上海外滩餐饮管理有限公司', '2017-08-19', 'unknown', 'in_service', NULL, '6231361730486761411', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (14, 5, '310101199402220758', '05000002', '叶怡', 'mainland', '2030-08-22', 'male', '1994-02-22', '13634273031', '上海市黄浦区汉口路622号', NULL, 'linked_enterprise', '上海金陵设计工作室', '2006-08-23', 'unknown', 'in_service', NULL, '6231329797485622918', 'issued', NULL, NULL, 'pending', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (15, 5, '310101199211276388', '05000003', '吴斌霞', 'mainland', '2035-01-03', 'female', '1992-11-27', '15431562137', '上海市黄浦区四川中路673号', NULL, 'linked_enterprise', '上海金陵设计工作室', '2022-04-12', 'unknown', 'in_service', NULL, '6231304534064646261', 'issued', NULL, NULL, 'pending', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (16, 5, '310101196607015439', '05000004', '田秀', 'mainland', '长期', 'male', '1966-07-01', '19983356759', '上海市黄浦区汉口路71号', '新会员', 'linked_enterprise', '上海金陵设计工作室', '2013-07-25', 'unknown', 'in_service', NULL, '6231194448446353387', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (17, 5, '310101197507127286', '05000005', '肖佳', 'mainland', '长期', 'female', '1975-07-12', '13500202246', '上海市黄浦区延安东路367号', NULL, 'linked_enterprise', '上海外滩餐饮管理有限公司', '2025-02-16', 'unknown', 'in_service', NULL, '6231237595565025003', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (11, 4, '310101198512252625', '04000011', '唐国', 'mainland', '2036-04-22', 'female', '1985-12-25', '19630373463', '上海市黄浦区广东路786号', NULL, 'linked_enterprise', '上海示范科技有限公司', '2007-10-05', 'managerial', 'in_service', NULL, '6231800000000000015', 'issued', 'normal', 'unknown', 'confirmed', '2026-12-01 07:10:59.741073', '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:11:00.03683');
INSERT INTO member VALUES (18, 5, '310101196405058246', '05000006', '邓怡轩', 'mainland', '长期', 'female', '1964-05-05', '13940976508', '上海市黄浦区广东路466号', '劳模', 'linked_enterprise', '上海外滩餐饮管理有限公司', '2017-08-15', 'managerial', 'retired', '2025-03-01', '6231177529159757963', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (19, 5, '31010119810317040X', '05000007', '吴超杰', 'mainland', '2034-02-27', 'female', '1981-03-17', '18333705767', '上海市黄浦区九江路15号', NULL, 'linked_enterprise', '上海外滩餐饮管理有限公司', '2011-06-11', 'unknown', 'deceased', NULL, '6231000294400355163', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (20, 5, 'H37186087', '05000008', '吕磊红', 'hk_macao', '长期', 'female', '1976-09-17', '19911737722', '上海市黄浦区四川中路152号', NULL, 'linked_enterprise', '上海南东商贸有限公司', '2026-12-25', 'worker', 'in_service', NULL, '6231596046304175230', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (21, 5, '310101198905106653', '05000009', '马杰', 'mainland', '2026-12-13', 'male', '1989-05-10', '19953281665', '上海市黄浦区九江路827号', '新会员', 'linked_enterprise', '上海南东商贸有限公司', '2015-04-21', 'unknown', 'in_service', NULL, '6231165887795929271', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (22, 5, '310101199110067130', '05000010', '魏欣', 'mainland', '2026-08-10', 'male', '1991-10-06', '15462690833', '上海市黄浦区广东路74号', '新会员', 'linked_enterprise', '上海外滩餐饮管理有限公司', '2023-03-22', 'unknown', 'in_service', NULL, '6231396056541167690', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (23, 5, '310101198201250198', '05000011', '吕怡强', 'mainland', '2035-09-21', 'male', '1982-01-25', '18499995358', '上海市黄浦区江西中路180号', NULL, 'linked_enterprise', '上海南东商贸有限公司', '2019-05-03', 'unknown', 'in_service', NULL, NULL, 'none', NULL, NULL, NULL, NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (24, 5, '310101197401114479', '05000012', '蔡志', 'mainland', '长期', 'male', '1974-01-11', '18623158163', '上海市黄浦区广东路644号', NULL, 'flexible', NULL, '2020-08-19', 'unknown', 'in_service', NULL, '6231380886787219982', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":1,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 1, '2026-12-01 07:10:59.484628');
INSERT INTO member VALUES (1, 4, '31010119790721061X', '04000001', '蒋文', 'mainland', '长期', 'male', '1979-07-21', '13492655486', '上海市黄浦区福州路39号', '组长', 'linked_enterprise', '上海示范科技有限公司', '2018-02-08', 'unknown', 'in_service', NULL, '6231186091390996030', 'issued', NULL, NULL, 'paid', NULL, '{"birth_date":1,"category":1,"enterprise_name":1,"gender":1,"id_expiry":1,"id_type":1,"join_date":1,"label":2,"member_no":1,"name":1,"phone":1,"post_type":1,"work_address":1}', 2, '2026-12-01 07:10:59.701172');
INSERT INTO nonce VALUES (1, '0052cca7e584263f5755b6f0a4c88aa8', '2026-12-01 07:10:59.812116');
INSERT INTO nonce VALUES (2, '77778f2069f61146a16d9c6edbcdf6e3', '2026-12-01 07:10:59.949959');
INSERT INTO plan_fee VALUES (1, 1, NULL, 'A', 26.00, 13.00, 13.00, 0.00, '2027-01-01', '2027-12-31');
INSERT INTO plan_fee VALUES (2, 1, NULL, 'B', 16.00, 8.00, 8.00, 0.00, '2027-01-01', '2027-12-31');
INSERT INTO plan_fee VALUES (3, 1, NULL, 'A_PLUS', 52.00, 26.00, 26.00, 0.00, '2027-01-01', '2027-12-31');
INSERT INTO plan_fee VALUES (4, 1, NULL, 'B_PLUS', 36.00, 18.00, 18.00, 0.00, '2027-01-01', '2027-12-31');
INSERT INTO registry_entry VALUES (1, '31010119790721061X', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (2, '310101198807056904', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (3, '310101198502193887', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (4, '310101196607080310', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (5, '310101197508275600', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (6, '310101196401211151', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (7, '31010120021106345X', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (8, '310101198709212539', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (9, '31010120020317968X', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (11, '310101198910191717', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (12, '310101199403079012', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (13, '310101199402220758', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (14, '310101199211276388', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (15, '310101196607015439', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (16, '310101197507127286', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (17, '310101196405058246', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (18, '31010119810317040X', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (19, '310101198905106653', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (20, '310101199110067130', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (21, '310101198201250198', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (22, '310101197401114479', 'normal', 'employed', '2026-12-01 07:10:59.515164');
INSERT INTO registry_entry VALUES (23, '310101198512252625', 'normal', 'unknown', '2026-12-01 07:10:59.654023');
INSERT INTO ss_check_job VALUES (1, 4, 5, '["310101198512252625"]', 'done', '2026-12-01 07:10:59.729603', 'vm:13746:140450329615232', '2026-12-01 07:10:59.736112', '2026-12-01 07:10:59.741073', '2026-12-01 07:10:59.729603');
INSERT INTO submission VALUES (1, 4, 5, 1, 'JZ-FIXTURE-1', 'central', 2027, 'card', 'A', 5, '{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"}', '{"batch_no":"JZ-FIXTURE-1","channel":"card","fee_split":{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00"},"kind":"central","members":[{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"31010119790721061X","name":"","period":"full"},{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"310101196607080310","name":"","period":"full"},{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"310101197508275600","name":"","period":"full"},{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"310101198709212539","name":"","period":"full"},{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"31010120020317968X","name":"","period":"full"}],"nonce":"0052cca7e584263f5755b6f0a4c88aa8","notice_pdf_sha256":"1ffaf700bcb5e2dee19f3417de556ccc27d8cd586e9b993be6a06a1134429259","plan_type":"A","plan_year":2027,"protocol":1,"replaces":null,"timestamp":"2026-12-01T07:10:59Z","totals":{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"},"union":"813101010000000041"}', '183af64eb9d5ce3d9fe175b69d8a0220518b65182d6d897501bf9a79109c9b41', '8FVNQhSaZlUsRQvNxelcS9a2tCWdutZgD8OHoInPG85RaOHF4i96D9GJWMBBxST3EK9VDmME3oTjG8qf5eQhCQ==', '\x255044462d312e330a25e2e3cfd30a312030206f626a0a3c3c0a2f50726f647563657220287079706466290a2f5469746c65202866697874757265206e6f74696365290a3e3e0a656e646f626a0a322030206f626a0a3c3c0a2f54797065202f50616765730a2f436f756e7420310a2f4b696473205b203420302052205d0a3e3e0a656e646f626a0a332030206f626a0a3c3c0a2f54797065202f436174616c6f670a2f50616765732032203020520a3e3e0a656e646f626a0a342030206f626a0a3c3c0a2f54797065202f506167650a2f5265736f7572636573203c3c0a3e3e0a2f4d65646961426f78205b20302e3020302e302035393520383432205d0a2f506172656e742032203020520a3e3e0a656e646f626a0a787265660a3020350a303030303030303030302036353533352066200a30303030303030303135203030303030206e200a30303030303030303738203030303030206e200a30303030303030313337203030303030206e200a30303030303030313836203030303030206e200a747261696c65720a3c3c0a2f53697a6520350a2f526f6f742033203020520a2f496e666f2031203020520a3e3e0a7374617274787265660a3238300a2525454f460a', '1ffaf700bcb5e2dee19f3417de556ccc27d8cd586e9b993be6a06a1134429259', 'returned', '名单需补充', NULL, '2026-12-01 07:10:59.812116', '2026-12-01 07:10:59.914851', 3);
INSERT INTO submission VALUES (2, 4, 5, 1, 'JZ-FIXTURE-2', 'central', 2027, 'card', 'A', 5, '{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"}', '{"batch_no":"JZ-FIXTURE-2","channel":"card","fee_split":{"city":"13.00","district":"13.00","fee":"26.00","grassroots":"0.00"},"kind":"central","members":[{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"31010119790721061X","name":"","period":"full"},{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"310101196607080310","name":"","period":"full"},{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"310101197508275600","name":"","period":"full"},{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"310101198709212539","name":"","period":"full"},{"card_no":null,"coverage_end":"2027-12-31","coverage_start":"2027-01-01","id_number":"31010120020317968X","name":"","period":"full"}],"nonce":"77778f2069f61146a16d9c6edbcdf6e3","notice_pdf_sha256":"1ffaf700bcb5e2dee19f3417de556ccc27d8cd586e9b993be6a06a1134429259","plan_type":"A","plan_year":2027,"protocol":1,"replaces":"JZ-FIXTURE-1","timestamp":"2026-12-01T07:10:59Z","totals":{"city":"65.00","count":5,"district":"65.00","fee":"130.00","grassroots":"0.00"},"union":"813101010000000041"}', '782a79b93c75e9113c8b7963310c8c2c523c536773e3505370ee2174d0d34d47', 'zOKybMnW+MUgXKVzsfg14Z0Uxc+FlBsMRYyGHDRAr5hMFgor+MZ9uZjlv0Kz6E0dvuegayUIWjtnqFx9Cv56AQ==', '\x255044462d312e330a25e2e3cfd30a312030206f626a0a3c3c0a2f50726f647563657220287079706466290a2f5469746c65202866697874757265206e6f74696365290a3e3e0a656e646f626a0a322030206f626a0a3c3c0a2f54797065202f50616765730a2f436f756e7420310a2f4b696473205b203420302052205d0a3e3e0a656e646f626a0a332030206f626a0a3c3c0a2f54797065202f436174616c6f670a2f50616765732032203020520a3e3e0a656e646f626a0a342030206f626a0a3c3c0a2f54797065202f506167650a2f5265736f7572636573203c3c0a3e3e0a2f4d65646961426f78205b20302e3020302e302035393520383432205d0a2f506172656e742032203020520a3e3e0a656e646f626a0a787265660a3020350a303030303030303030302036353533352066200a30303030303030303135203030303030206e200a30303030303030303738203030303030206e200a30303030303030313337203030303030206e200a30303030303030313836203030303030206e200a747261696c65720a3c3c0a2f53697a6520350a2f526f6f742033203020520a2f496e666f2031203020520a3e3e0a7374617274787265660a3238300a2525454f460a', '1ffaf700bcb5e2dee19f3417de556ccc27d8cd586e9b993be6a06a1134429259', 'under_review', NULL, 1, '2026-12-01 07:10:59.949959', NULL, NULL);
INSERT INTO token VALUES (1, 'f035cda1e0a58802eff3562dc9f646e80836f02d36307e4c6f12ccfcdef02166', 'access', 5, '2026-12-01 07:25:59.617535', '2026-12-01 07:10:59.617535', '3b867cbd216678fc0cfbe9d113d21e9e', NULL);
INSERT INTO token VALUES (2, 'c604ec633b045334565be3b1653300601455c25772ce387229ddef9c85e8c946', 'refresh', 5, '2026-12-31 07:10:59.617535', '2026-12-01 07:10:59.617535', '3b867cbd216678fc0cfbe9d113d21e9e', NULL);
INSERT INTO token VALUES (3, '4ef199b466793f641cc477c89c1de4c77845527af707641514805382ea2d58e0', 'login_cookie', 5, '2027-05-30 07:10:59.620261', '2026-12-01 07:10:59.620261', NULL, NULL);
INSERT INTO token VALUES (4, '327ad7d7a7d8600ffd005f0715e86bd74e4079d76ce5d77d593b9cbf5a2567f9', 'access', 3, '2026-12-01 07:25:59.888332', '2026-12-01 07:10:59.888332', '8972c4425c5dc3cb427b00dbbddd5db4', NULL);
INSERT INTO token VALUES (5, '741a7d0318f0b6e00b13e3df86846135514e4f10d761909dae7ddf72d3eb4521', 'refresh', 3, '2026-12-31 07:10:59.888332', '2026-12-01 07:10:59.888332', '8972c4425c5dc3cb427b00dbbddd5db4', NULL);
INSERT INTO token VALUES (6, '86cf44770528d833f5a726942f14887b72ffaffffa44361c4eeebe559da95f04', 'login_cookie', 3, '2027-05-30 07:10:59.889833', '2026-12-01 07:10:59.889833', NULL, NULL);
INSERT INTO trade_union VALUES (1, '上海市总工会', '813100000000000017', '市总工会', 'city', NULL, '/1/', 1, '2026-12-01 07:10:58.952583');
INSERT INTO trade_union VALUES (2, '上海市黄浦区总工会', '813101010000000025', '区总工会', 'district', 1, '/1/2/', 1, '2026-12-01 07:10:58.961315');
INSERT INTO trade_union VALUES (3, '上海市黄浦区南京东路街道总工会', '813101010000000033', '街道总工会', 'secondary', 2, '/1/2/3/', 1, '2026-12-01 07:10:58.967385');
INSERT INTO trade_union VALUES (4, '上海示范科技有限公司工会委员会', '813101010000000041', '工会委员会', 'grassroots', 3, '/1/2/3/4/', 25, '2026-12-01 07:10:58.972936');
INSERT INTO trade_union VALUES (5, '上海市黄浦区南京东路街道联合工会', '81310101000000005X', '联合工会', 'grassroots', 3, '/1/2/3/5/', 13, '2026-12-01 07:10:58.979771');
SELECT pg_catalog.setval('account_id_seq', 6, true);
SELECT pg_catalog.setval('audit_entry_id_seq', 22, true);
SELECT pg_catalog.setval('batch_review_id_seq', 1, false);
SELECT pg_catalog.setval('campaign_id_seq', 1, true);
SELECT pg_catalog.setval('card_batch_id_seq', 1, true);
SELECT pg_catalog.setval('card_batch_member_id_seq', 1, true);
SELECT pg_catalog.setval('card_job_id_seq', 2, true);
SELECT pg_catalog.setval('change_id_seq', 41, true);
SELECT pg_catalog.setval('device_id_seq', 1, true);
SELECT pg_catalog.setval('district_batch_id_seq', 1, false);
SELECT pg_catalog.setval('enrollment_id_seq', 10, true);
SELECT pg_catalog.setval('enterprise_id_seq', 4, true);
SELECT pg_catalog.setval('idempotency_record_id_seq', 7, true);
SELECT pg_catalog.setval('login_guard_id_seq', 4, true);
SELECT pg_catalog.setval('member_id_seq', 24, true);
SELECT pg_catalog.setval('nonce_id_seq', 2, true);
SELECT pg_catalog.setval('plan_fee_id_seq', 4, true);
SELECT pg_catalog.setval('registry_entry_id_seq', 23, true);
SELECT pg_catalog.setval('ss_check_job_id_seq', 1, true);
SELECT pg_catalog.setval('submission_id_seq', 2, true);
SELECT pg_catalog.setval('token_id_seq', 6, true);
SELECT pg_catalog.setval('trade_union_id_seq', 5, true);
SELECT pg_catalog.setval('voucher_id_seq', 1, false);
ALTER TABLE ONLY account
    ADD CONSTRAINT account_pkey PRIMARY KEY (id);
ALTER TABLE ONLY audit_entry
    ADD CONSTRAINT audit_entry_pkey PRIMARY KEY (id);
ALTER TABLE ONLY batch_review
    ADD CONSTRAINT batch_review_pkey PRIMARY KEY (id);
ALTER TABLE ONLY campaign
    ADD CONSTRAINT campaign_pkey PRIMARY KEY (id);
ALTER TABLE ONLY card_batch_member
    ADD CONSTRAINT card_batch_member_pkey PRIMARY KEY (id);
ALTER TABLE ONLY card_batch
    ADD CONSTRAINT card_batch_pkey PRIMARY KEY (id);
ALTER TABLE ONLY card_job
    ADD CONSTRAINT card_job_pkey PRIMARY KEY (id);
ALTER TABLE ONLY change
    ADD CONSTRAINT change_pkey PRIMARY KEY (id);
ALTER TABLE ONLY device
    ADD CONSTRAINT device_pkey PRIMARY KEY (id);
ALTER TABLE ONLY district_batch
    ADD CONSTRAINT district_batch_pkey PRIMARY KEY (id);
ALTER TABLE ONLY enrollment
    ADD CONSTRAINT enrollment_pkey PRIMARY KEY (id);
ALTER TABLE ONLY enterprise
    ADD CONSTRAINT enterprise_pkey PRIMARY KEY (id);
ALTER TABLE ONLY idempotency_record
    ADD CONSTRAINT idempotency_record_pkey PRIMARY KEY (id);
ALTER TABLE ONLY login_guard
    ADD CONSTRAINT login_guard_pkey PRIMARY KEY (id);
ALTER TABLE ONLY member
    ADD CONSTRAINT member_pkey PRIMARY KEY (id);
ALTER TABLE ONLY nonce
    ADD CONSTRAINT nonce_pkey PRIMARY KEY (id);
ALTER TABLE ONLY plan_fee
    ADD CONSTRAINT plan_fee_pkey PRIMARY KEY (id);
ALTER TABLE ONLY registry_entry
    ADD CONSTRAINT registry_entry_pkey PRIMARY KEY (id);
ALTER TABLE ONLY ss_check_job
    ADD CONSTRAINT ss_check_job_pkey PRIMARY KEY (id);
ALTER TABLE ONLY submission
    ADD CONSTRAINT submission_pkey PRIMARY KEY (id);
ALTER TABLE ONLY token
    ADD CONSTRAINT token_pkey PRIMARY KEY (id);
ALTER TABLE ONLY trade_union
    ADD CONSTRAINT trade_union_pkey PRIMARY KEY (id);
ALTER TABLE ONLY voucher
    ADD CONSTRAINT voucher_pkey PRIMARY KEY (id);
CREATE INDEX account_union_id ON account USING btree (union_id);
CREATE UNIQUE INDEX account_username ON account USING btree (username);
CREATE INDEX audit_entry_at ON audit_entry USING btree (at);
CREATE INDEX audit_entry_union_id ON audit_entry USING btree (union_id);
CREATE INDEX batch_review_district_batch_id ON batch_review USING btree (district_batch_id);
CREATE INDEX batch_review_district_by_id ON batch_review USING btree (district_by_id);
CREATE INDEX batch_review_secondary_by_id ON batch_review USING btree (secondary_by_id);
CREATE UNIQUE INDEX batch_review_submission_id ON batch_review USING btree (submission_id);
CREATE UNIQUE INDEX campaign_plan_year ON campaign USING btree (plan_year);
CREATE INDEX card_batch_device_id ON card_batch USING btree (device_id);
CREATE UNIQUE INDEX card_batch_member_batch_id_id_number ON card_batch_member USING btree (batch_id, id_number);
CREATE INDEX card_batch_union_id ON card_batch USING btree (union_id);
CREATE UNIQUE INDEX card_batch_union_id_batch_no ON card_batch USING btree (union_id, batch_no);
CREATE INDEX card_batch_user_id ON card_batch USING btree (user_id);
CREATE INDEX card_job_batch_id ON card_job USING btree (batch_id);
CREATE INDEX card_job_requested_by_id ON card_job USING btree (requested_by_id);
CREATE INDEX card_job_status_not_before ON card_job USING btree (status, not_before);
CREATE INDEX card_job_union_id ON card_job USING btree (union_id);
CREATE INDEX change_union_id ON change USING btree (union_id);
CREATE UNIQUE INDEX change_union_id_seq ON change USING btree (union_id, seq);
CREATE INDEX device_fingerprint ON device USING btree (fingerprint);
CREATE UNIQUE INDEX device_public_key ON device USING btree (public_key);
CREATE INDEX device_user_id ON device USING btree (user_id);
CREATE UNIQUE INDEX district_batch_batch_no ON district_batch USING btree (batch_no);
CREATE INDEX district_batch_decided_by_id ON district_batch USING btree (decided_by_id);
CREATE INDEX district_batch_status ON district_batch USING btree (status);
CREATE INDEX district_batch_submitted_by_id ON district_batch USING btree (submitted_by_id);
CREATE INDEX district_batch_union_id ON district_batch USING btree (union_id);
CREATE UNIQUE INDEX enrollment_plan_year_id_number ON enrollment USING btree (plan_year, id_number);
CREATE INDEX enrollment_submission_id ON enrollment USING btree (submission_id);
CREATE INDEX enrollment_union_id ON enrollment USING btree (union_id);
CREATE INDEX enterprise_union_id ON enterprise USING btree (union_id);
CREATE UNIQUE INDEX enterprise_union_id_name ON enterprise USING btree (union_id, name);
CREATE UNIQUE INDEX idempotency_record_key ON idempotency_record USING btree (key);
CREATE INDEX idempotency_record_union_id ON idempotency_record USING btree (union_id);
CREATE INDEX idempotency_record_user_id ON idempotency_record USING btree (user_id);
CREATE UNIQUE INDEX login_guard_key ON login_guard USING btree (key);
CREATE INDEX login_guard_updated ON login_guard USING btree (updated);
CREATE INDEX member_union_id ON member USING btree (union_id);
CREATE UNIQUE INDEX member_union_id_id_number ON member USING btree (union_id, id_number);
CREATE UNIQUE INDEX nonce_value ON nonce USING btree (value);
CREATE INDEX plan_fee_campaign_id ON plan_fee USING btree (campaign_id);
CREATE UNIQUE INDEX plan_fee_campaign_id_union_id_plan_type_valid_from ON plan_fee USING btree (campaign_id, union_id, plan_type, valid_from);
CREATE INDEX plan_fee_union_id ON plan_fee USING btree (union_id);
CREATE UNIQUE INDEX registry_entry_id_number ON registry_entry USING btree (id_number);
CREATE INDEX ss_check_job_requested_by_id ON ss_check_job USING btree (requested_by_id);
CREATE INDEX ss_check_job_status_not_before ON ss_check_job USING btree (status, not_before);
CREATE INDEX ss_check_job_union_id ON ss_check_job USING btree (union_id);
CREATE INDEX submission_decided_by_id ON submission USING btree (decided_by_id);
CREATE INDEX submission_device_id ON submission USING btree (device_id);
CREATE INDEX submission_replaces_id ON submission USING btree (replaces_id);
CREATE INDEX submission_union_id ON submission USING btree (union_id);
CREATE UNIQUE INDEX submission_union_id_batch_no ON submission USING btree (union_id, batch_no);
CREATE INDEX submission_union_id_plan_year ON submission USING btree (union_id, plan_year);
CREATE INDEX submission_user_id ON submission USING btree (user_id);
CREATE INDEX token_expires ON token USING btree (expires);
CREATE INDEX token_family ON token USING btree (family);
CREATE UNIQUE INDEX token_token_hash ON token USING btree (token_hash);
CREATE INDEX token_user_id ON token USING btree (user_id);
CREATE UNIQUE INDEX trade_union_org_code ON trade_union USING btree (org_code);
CREATE INDEX trade_union_parent_id ON trade_union USING btree (parent_id);
CREATE INDEX trade_union_path ON trade_union USING btree (path);
CREATE INDEX voucher_decided_by_id ON voucher USING btree (decided_by_id);
CREATE INDEX voucher_district_batch_id ON voucher USING btree (district_batch_id);
CREATE INDEX voucher_uploaded_by_id ON voucher USING btree (uploaded_by_id);
ALTER TABLE ONLY account
    ADD CONSTRAINT account_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE RESTRICT;
ALTER TABLE ONLY audit_entry
    ADD CONSTRAINT audit_entry_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE SET NULL;
ALTER TABLE ONLY batch_review
    ADD CONSTRAINT batch_review_district_batch_id_fkey FOREIGN KEY (district_batch_id) REFERENCES district_batch(id) ON DELETE RESTRICT;
ALTER TABLE ONLY batch_review
    ADD CONSTRAINT batch_review_district_by_id_fkey FOREIGN KEY (district_by_id) REFERENCES account(id) ON DELETE RESTRICT;
ALTER TABLE ONLY batch_review
    ADD CONSTRAINT batch_review_secondary_by_id_fkey FOREIGN KEY (secondary_by_id) REFERENCES account(id) ON DELETE RESTRICT;
ALTER TABLE ONLY batch_review
    ADD CONSTRAINT batch_review_submission_id_fkey FOREIGN KEY (submission_id) REFERENCES submission(id) ON DELETE CASCADE;
ALTER TABLE ONLY card_batch
    ADD CONSTRAINT card_batch_device_id_fkey FOREIGN KEY (device_id) REFERENCES device(id) ON DELETE RESTRICT;
ALTER TABLE ONLY card_batch_member
    ADD CONSTRAINT card_batch_member_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES card_batch(id) ON DELETE CASCADE;
ALTER TABLE ONLY card_batch
    ADD CONSTRAINT card_batch_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE RESTRICT;
ALTER TABLE ONLY card_batch
    ADD CONSTRAINT card_batch_user_id_fkey FOREIGN KEY (user_id) REFERENCES account(id) ON DELETE RESTRICT;
ALTER TABLE ONLY card_job
    ADD CONSTRAINT card_job_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES card_batch(id) ON DELETE CASCADE;
ALTER TABLE ONLY card_job
    ADD CONSTRAINT card_job_requested_by_id_fkey FOREIGN KEY (requested_by_id) REFERENCES account(id) ON DELETE SET NULL;
ALTER TABLE ONLY card_job
    ADD CONSTRAINT card_job_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE CASCADE;
ALTER TABLE ONLY change
    ADD CONSTRAINT change_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE CASCADE;
ALTER TABLE ONLY device
    ADD CONSTRAINT device_user_id_fkey FOREIGN KEY (user_id) REFERENCES account(id) ON DELETE CASCADE;
ALTER TABLE ONLY district_batch
    ADD CONSTRAINT district_batch_decided_by_id_fkey FOREIGN KEY (decided_by_id) REFERENCES account(id) ON DELETE RESTRICT;
ALTER TABLE ONLY district_batch
    ADD CONSTRAINT district_batch_submitted_by_id_fkey FOREIGN KEY (submitted_by_id) REFERENCES account(id) ON DELETE RESTRICT;
ALTER TABLE ONLY district_batch
    ADD CONSTRAINT district_batch_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE RESTRICT;
ALTER TABLE ONLY enrollment
    ADD CONSTRAINT enrollment_submission_id_fkey FOREIGN KEY (submission_id) REFERENCES submission(id) ON DELETE CASCADE;
ALTER TABLE ONLY enrollment
    ADD CONSTRAINT enrollment_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE CASCADE;
ALTER TABLE ONLY enterprise
    ADD CONSTRAINT enterprise_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE CASCADE;
ALTER TABLE ONLY idempotency_record
    ADD CONSTRAINT idempotency_record_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE CASCADE;
ALTER TABLE ONLY idempotency_record
    ADD CONSTRAINT idempotency_record_user_id_fkey FOREIGN KEY (user_id) REFERENCES account(id) ON DELETE CASCADE;
ALTER TABLE ONLY member
    ADD CONSTRAINT member_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE CASCADE;
ALTER TABLE ONLY plan_fee
    ADD CONSTRAINT plan_fee_campaign_id_fkey FOREIGN KEY (campaign_id) REFERENCES campaign(id) ON DELETE CASCADE;
ALTER TABLE ONLY plan_fee
    ADD CONSTRAINT plan_fee_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE CASCADE;
ALTER TABLE ONLY ss_check_job
    ADD CONSTRAINT ss_check_job_requested_by_id_fkey FOREIGN KEY (requested_by_id) REFERENCES account(id) ON DELETE SET NULL;
ALTER TABLE ONLY ss_check_job
    ADD CONSTRAINT ss_check_job_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE CASCADE;
ALTER TABLE ONLY submission
    ADD CONSTRAINT submission_decided_by_id_fkey FOREIGN KEY (decided_by_id) REFERENCES account(id) ON DELETE RESTRICT;
ALTER TABLE ONLY submission
    ADD CONSTRAINT submission_device_id_fkey FOREIGN KEY (device_id) REFERENCES device(id) ON DELETE RESTRICT;
ALTER TABLE ONLY submission
    ADD CONSTRAINT submission_replaces_id_fkey FOREIGN KEY (replaces_id) REFERENCES submission(id) ON DELETE RESTRICT;
ALTER TABLE ONLY submission
    ADD CONSTRAINT submission_union_id_fkey FOREIGN KEY (union_id) REFERENCES trade_union(id) ON DELETE RESTRICT;
ALTER TABLE ONLY submission
    ADD CONSTRAINT submission_user_id_fkey FOREIGN KEY (user_id) REFERENCES account(id) ON DELETE RESTRICT;
ALTER TABLE ONLY token
    ADD CONSTRAINT token_user_id_fkey FOREIGN KEY (user_id) REFERENCES account(id) ON DELETE CASCADE;
ALTER TABLE ONLY trade_union
    ADD CONSTRAINT trade_union_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES trade_union(id) ON DELETE RESTRICT;
ALTER TABLE ONLY voucher
    ADD CONSTRAINT voucher_decided_by_id_fkey FOREIGN KEY (decided_by_id) REFERENCES account(id) ON DELETE RESTRICT;
ALTER TABLE ONLY voucher
    ADD CONSTRAINT voucher_district_batch_id_fkey FOREIGN KEY (district_batch_id) REFERENCES district_batch(id) ON DELETE CASCADE;
ALTER TABLE ONLY voucher
    ADD CONSTRAINT voucher_uploaded_by_id_fkey FOREIGN KEY (uploaded_by_id) REFERENCES account(id) ON DELETE RESTRICT;
