"""The HTTP API by concern: each module's `router(ctx)` builds one `APIRouter`.

- auth: login, tokens, the caller's account, device keys;
- accounts: a superior union's management of its subordinates' accounts (list, create, reset, lock, unlock);
- organisation: the union tree and the campaign's configuration;
- sync: server time, push, the change feed;
- submissions: batches, their notice PDFs and the superior union's decision;
- review: 集中参保审核 — the 待审批 / 待提交 lists, 添加至待提交, 退回, 移除 (server/superior/);
- queries: 参保信息查询, 保障信息查询, 给付信息查询 (server/superior/queries.py);
- withdrawals: 撤销办卡批次 (a clerk's request) and 撤销办卡批次审核 (the district's decision);
- district: 待提交 totals, 提交至职保中心, district batches and 缴费凭证; the center's voucher decisions;
- fees: 保障金额设置 (the fee split), the 集中参保统计表 rows and a district batch's 告知书 again;
- monitor: 集中参保实时监控 — the campaign's figures over the caller's scope and the unions behind one.
"""
