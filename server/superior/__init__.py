"""The superior side of the central server (SPEC §5.9–5.10, manual part 4).

- scope: who may do what, in one place (a secondary reviews its subtree, a district its own
  district, the center every district batch; a grassroots account none of it);
- review: 集中参保审核 — the 待审批 and 待提交 lists, 添加至待提交, 退回, 移除;
- district: the district's submission to the center and its notice figures;
- vouchers: 缴费凭证 upload, the center's decision, 未被受理 after the deadline;
- campaign_file: the center's campaign set-up from a TOML file;
- monitor: 集中参保实时监控 — the campaign's progress over a subtree (the center: the city), in SQL.
"""
