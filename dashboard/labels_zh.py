# ruff: noqa: E501  (one translation per line reads better than wrapped Chinese)
"""Chinese labels of the dashboard, keyed by the English text used in the code.

``tests/test_dashboard_i18n.py`` checks that every literal passed to ``t()``
has an entry here, so the Chinese interface never shows an English phrase.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # navigation and sidebar
    "Overview": "总览",
    "Data import": "数据导入",
    "Inspection plans": "抽查计划",
    "Random draw": "随机抽取",
    "Inspector matching": "人员匹配",
    "Exports": "导出",
    "Results and publication": "结果公示",
    "Policy simulation": "政策模拟",
    "Audit": "审计",
    "Database: {url}": "数据库：{url}",
    "Reload data": "重新载入数据",
    "Not available yet: {what}.": "此功能尚未就绪：{what}。",
    # shared
    "File": "文件",
    "Row": "行",
    "Column": "列",
    "Reason": "原因",
    " (check: {fields})": "（请检查：{fields}）",
    ", ": "、",
    "Weights": "权重",
    "Assignment": "人员匹配结果",
    "{n} problem(s) in the input.": "输入数据中发现 {n} 处问题。",
    "The plan cannot be staffed as it stands: {msg}": "按现有条件无法完成人员匹配：{msg}",
    "Public comprehensive rating": "公共信用综合评价",
    "Department": "部门",
    "Division": "区县",
    "Divisions": "区县",
    "Code": "代码",
    "Tier": "信用等级",
    "Share": "占比",
    "Seed": "随机种子",
    "Entities": "主体总数",
    "Inspectors": "执法人员",
    "Active": "在岗",
    "Capacity": "任务容量",
    "Policy": "政策",
    "year": "年",
    "quarter": "季度",
    "month": "月",
    # overview
    "The database holds no directory yet. Import one on the Data import page.": (
        "数据库中还没有名录库，请先在“数据导入”页面导入数据。"
    ),
    "Operating": "存续主体",
    "Individual businesses": "个体工商户占比",
    "Active inspectors": "在岗执法人员",
    "Inspection capacity": "任务容量",
    "Entities by division": "各区县主体数量",
    "Entity types": "主体类型",
    "Entity type": "主体类型",
    "Inspectors by department": "各部门执法人员",
    "Credit tier mix": "信用等级分布",
    "Rating department": "信用评价部门",
    "credit tiers (scheduler.draw.tiers)": "信用等级计算（scheduler.draw.tiers）",
    "Data quality": "数据质量",
    "No data-quality warnings.": "未发现数据质量问题。",
    "Warning": "提示",
    "Records": "记录数",
    "Examples": "示例",
    "quality:no_rating": "无任何信用评价（按默认等级处理）",
    "quality:expired_rating": "信用评价已过有效期",
    "quality:not_active": "已注销或吊销（不参与抽取）",
    "quality:no_sectors": "未标注监管行业（分行业事项无法抽到）",
    "quality:inactive_inspector": "执法人员不在岗",
    "quality:zero_capacity": "在岗执法人员任务上限为 0",
    "quality:no_qualifications": "在岗执法人员无执法资格",
    "quality:region_without_inspectors": "区县有主体但无在岗执法人员",
    # import
    "Upload the directory files named as in the data format: entities, ratings, inspectors, "
    "conflicts, history (and optionally departments, sectors, regions), as CSV (UTF-8 or "
    "GB18030) or XLSX. Headers may be English or Chinese.": (
        "请按数据格式命名上传名录文件：entities（检查对象名录库）、ratings（信用评价）、"
        "inspectors（执法检查人员名录库）、conflicts（回避关系）、history（检查记录），"
        "以及可选的 departments、sectors、regions。支持 CSV（UTF-8 或 GB18030）和 XLSX，"
        "表头可用英文或中文。"
    ),
    "Contents": "内容",
    "Columns": "列",
    "Directory files": "名录文件",
    "Unrecognised file names (ignored): {names}": "无法识别的文件名（已忽略）：{names}",
    "Tables to import: {names}": "将导入：{names}",
    "the importer and database loader (scheduler.data.importing.reader, scheduler.store.loader)": (
        "数据导入与入库（scheduler.data.importing.reader、scheduler.store.loader）"
    ),
    "Validate and import": "校验并导入",
    "Validating...": "正在校验……",
    "Writing to the database...": "正在写入数据库……",
    "Imported {entities} entities, {ratings} ratings and {inspectors} inspectors.": (
        "已导入 {entities} 个主体、{ratings} 条信用评价、{inspectors} 名执法人员。"
    ),
    "In the database": "数据库中的数据",
    "Table": "数据表",
    "Rows": "行数",
    # audit
    "Every consequential action is logged here and can never be changed or deleted.": (
        "所有关键操作都记录在此，记录只能追加，不能修改或删除。"
    ),
    "Event kinds": "事件类型",
    "Subject contains (plan, draw or inspector id)": "对象包含（计划、抽取或执法人员编号）",
    "The audit log is empty.": "审计日志为空。",
    "Time (UTC)": "时间（UTC）",
    "Actor": "操作人",
    "Event": "事件",
    "Subject": "对象",
    "Details": "详情",
    "Verify a draw": "验证抽取结果",
    "draw receipts and verification (scheduler.draw.receipt)": "抽取凭证与验证（scheduler.draw.receipt）",
    # simulation
    "A Monte Carlo model of the directory under inspection: each policy spends the same "
    "number of inspections; bands show the range seen in 95% of the simulated futures.": (
        "以蒙特卡洛模型模拟名录库在抽查下的变化：各政策使用相同的检查次数；"
        "阴影带表示 95% 模拟结果所在的范围。"
    ),
    "the policy simulation (scheduler.simulation)": "政策模拟（scheduler.simulation）",
    "Population": "模拟对象",
    "The imported directory": "已导入的名录库",
    "A synthetic population": "合成数据",
    "Synthetic population size": "合成主体数量",
    "Policies to compare": "比较的政策",
    "uniform (no credit weighting)": "等比例抽查（不分信用等级）",
    "risk-adaptive": "风险自适应",
    "Custom rates (optional), e.g. A=0.02,B=0.05,C=0.2,D=0.6": (
        "自定义抽查比例（可选），如 A=0.02,B=0.05,C=0.2,D=0.6"
    ),
    "Years": "年数",
    "Replications": "重复次数",
    "Run the simulation": "运行模拟",
    "Rate sweep and frontier": "费率扫描与政策前沿",
    "Every rate vector of the grid is scaled to the same number of inspections; the frontier keeps the policies no other policy beats on all four objectives.": "网格中的每组费率都按同一检查总量缩放；前沿保留在四项指标上均不被其他方案全面超越的方案。",
    "Rate grid (start:stop:step per tier)": "费率网格（各等级 起:止:步长）",
    "Base preset (other tiers' rates and the budget)": "基准方案（未列出等级的费率与检查总量）",
    "Inspections a year (0: the preset's)": "每年检查次数（0 表示沿用基准方案）",
    "Run the sweep": "运行扫描",
    "{n} policies, {on} on the frontier; budget {budget} inspections a year.": "共 {n} 个方案，其中 {on} 个在前沿上；检查总量每年 {budget} 次。",
    "Simulating...": "正在模拟……",
    "Choose policies and run the simulation.": "请选择政策并运行模拟。",
    "{reps} replications, seed {seed}; budget {budget} inspections per {unit} (set by {source}).": (
        "{reps} 次重复，随机种子 {seed}；每{unit}检查 {budget} 次（由 {source} 确定）。"
    ),
    "Metric": "指标",
    "Period ({unit})": "期数（{unit}）",
    "At the end of the horizon": "模拟期末",
    "Mean [2.5%, 97.5%] across replications.": "各次重复的均值 [2.5%, 97.5%]。",
    "Violations found per 100 inspections": "每百次检查发现的违法问题",
    "Inspections spent on compliant entities": "检查落在守法主体上的比例",
    "Mean time to first detection of a violator": "违法主体首次被发现的平均时间",
    "Entities inspected at least once in 3 years": "三年内至少被检查一次的主体",
    "Entities inspected at least once in 5 years": "五年内至少被检查一次的主体",
    "Entities in violation": "存在违法行为的主体",
    "Inspections": "检查次数",
    "Violations found": "发现违法问题",
    # plans
    "Plan": "计划",
    "Plans": "已有计划",
    "Plan name": "计划名称",
    "Random inspection {year}": "{year}年双随机抽查",
    "Inspection items (sectors; empty = all of the department's)": "检查事项（监管行业；不选则为本部门全部行业）",
    "Divisions (empty = all)": "区县（不选则为全部）",
    "Entity types (empty = all)": "主体类型（不选则为全部）",
    "Joint departments (one visit, several departments' items)": "联合检查部门（进一次门、查多项事）",
    "How much to inspect": "抽查比例",
    "Preset rates": "预设比例",
    "Own rates": "自定义比例",
    "Budget": "按检查总数",
    "Preset": "预设方案",
    "Inspections in total": "检查总数",
    "Weight {tier}": "{tier} 级权重",
    "Inspections from": "检查开始日期",
    "Inspections until": "检查截止日期",
    "Repeat control: skip entities inspected within (months)": "重复检查控制：近期已检查的不再抽取（月）",
    "Preview": "预览",
    "Entities in the frame": "抽样框主体数",
    "Excluded": "排除",
    "Expected inspections": "预计检查数",
    "Inclusion probability": "入样概率",
    "Save the plan": "保存计划",
    "Saved plan {id}. Go to the Random draw page to draw it.": "已保存计划 {id}，请到“随机抽取”页面进行抽取。",
    "Departments": "部门",
    "Window": "检查期限",
    # draw
    "Save a plan on the Inspection plans page first.": "请先在“抽查计划”页面保存一个计划。",
    "Departments: {departments}; window {start} – {end}.": "部门：{departments}；检查期限 {start} 至 {end}。",
    "Commit, then reveal a public value (for witnessed draws)": "先承诺、后揭晓公开数值（用于公开见证的抽取）",
    "Enter a seed": "输入随机种子",
    "1. Publish the commitment (frame fingerprint and parameters) before the public value exists. "
    "2. When the value is announced (e.g. a lottery result), enter it: it fixes the seed, "
    "so no one can steer the draw.": (
        "1. 在公开数值产生之前，先公布承诺（抽样框指纹和抽取参数）。"
        "2. 公开数值（如彩票开奖号码）公布后输入该数值，由它确定随机种子，任何人都无法操纵抽取结果。"
    ),
    "When the value will be announced": "公开数值的公布时间",
    "Source of the public value": "公开数值的来源",
    "Publish the commitment": "公布承诺",
    "Download the commitment": "下载承诺文件",
    "The public value, as announced": "公布的公开数值",
    "Digits in the public value (0 = any number)": "公开数值的位数（0 = 不限）",
    "Canonical value: {value}": "规范化数值：{value}",
    "Draw {id} reproduced exactly from its frame snapshot and its receipt.": "抽取 {id} 已根据抽取时的名录快照和凭证完全复现，结果一致。",
    "Published commitment SHA-256 (optional, for witnessed draws)": "已公布承诺的 SHA-256（可选，用于公开见证的抽取）",
    "Reason for drawing again (required, recorded in the audit log)": "重新抽取的理由（必填，记入审计日志）",
    "Reason for assigning again (required once the draw is assigned; audited)": (
        "重新匹配的理由（已匹配过时必填，记入审计日志）"
    ),
    "Run the draw": "运行抽取",
    "Building the sampling frame...": "正在生成抽样框……",
    "Drawing for {department}...": "正在为{department}抽取……",
    "Done.": "完成。",
    "Draw {id} recorded.": "抽取 {id} 已记录。",
    "Not drawn yet.": "尚未抽取。",
    "Drawn": "抽中",
    "Expected": "预期",
    "Expected and drawn per tier": "各信用等级预期与实际抽中数",
    "Expected and drawn per division": "各区县预期与实际抽中数",
    "Drawn entities and their inclusion probabilities": "抽中主体及其入样概率",
    "Stratum": "抽样层",
    "Download the receipt (JSON)": "下载抽取凭证（JSON）",
    "Download the draw (CSV)": "下载抽取结果（CSV）",
    "Drawn per tier: {counts}": "各等级抽中数：{counts}",
    # verify
    "A recorded draw": "已记录的抽取",
    "A receipt and draw file": "凭证与抽取文件",
    "No draw recorded yet.": "尚无抽取记录。",
    "Draw": "抽取",
    "Verify": "验证",
    "Receipt (JSON)": "抽取凭证（JSON）",
    "Draw file (CSV)": "抽取结果文件（CSV）",
    "Draw {id} reproduced exactly from the directory and its receipt.": "抽取 {id} 已根据名录库和凭证完全复现，结果一致。",
    "Draw {id} does NOT match its receipt.": "抽取 {id} 与其凭证不一致！",
    # matching
    "Draw a plan on the Random draw page first.": "请先在“随机抽取”页面完成抽取。",
    "Draw {draw}: {n} entities; departments {departments}.": "抽取 {draw}：{n} 个主体；部门：{departments}。",
    "Inspectors per visit": "每组检查人数",
    "Visits per inspector per day": "每人每日检查上限",
    "Allow inspectors from other divisions": "允许跨区县选派检查人员",
    "Run the assignment": "运行匹配",
    "Matching inspectors...": "正在匹配检查人员……",
    "Diagnosis": "无法匹配的原因",
    "Smallest changes that make the plan feasible (each verified by re-solving):": (
        "可使计划可行的最小调整（均已重新求解验证）："
    ),
    "Apply: {what}": "采用：{what}",
    "No single relaxation makes the plan feasible: add qualified inspectors to the divisions above.": (
        "单项调整均无法使计划可行：请为上述区县增加具备资格的执法人员。"
    ),
    "Not assigned yet.": "尚未匹配。",
    "Visits": "检查次数",
    "Inspectors used": "参与人员",
    "Cross-division share": "跨区县比例",
    "Busiest inspector": "个人最多任务",
    "Workload against capacity": "执法人员任务量与上限",
    "Inspector": "执法人员",
    "Grey: capacity; red: visits in this plan.": "灰色：任务上限；红色：本计划任务量。",
    "Calendar": "检查日历",
    "All divisions": "全部区县",
    "The {n} busiest of {total} inspectors.": "显示 {total} 名执法人员中任务最多的 {n} 名。",
    "Week of": "周",
    "Weekday": "星期",
    "Teams": "检查组",
    "Visit": "检查",
    "Date": "日期",
    "Team lead": "组长",
    "Members": "组员",
    "Cross-division": "跨区县",
    "Swap an inspector": "调换检查人员",
    "Replace": "换下",
    "By": "换上",
    "Why are other inspectors not eligible?": "其他人员为何不符合条件？",
    "Reason for the swap (recorded in the audit log)": "调换理由（记入审计日志）",
    "Swap and re-check": "调换并重新校验",
    "Swapped {old} for {new}; every rule still holds.": "已将 {old} 换为 {new}，所有规则仍然满足。",
    # exports
    "exports (scheduler.publication)": "导出（scheduler.publication）",
    "The plan is not assigned yet: lists come without teams and dates, and there are no task sheets.": (
        "计划尚未匹配人员：名单中没有检查组和日期，也没有检查任务单。"
    ),
    "Split by": "拆分方式",
    "Nothing": "不拆分",
    "Inspection list (internal)": "检查对象名单（内部）",
    "Task sheets, one per team (internal)": "检查任务单，每组一份（内部）",
    "Public list (masked, for 一公开)": "公示名单（已脱敏，用于一公开）",
    "rows": "行",
    "{n} drawn entities: the files are written on request.": "共抽中 {n} 个主体：文件在点击后生成。",
    "Prepare the files": "生成文件",
    "{n} entities in the chosen divisions: the preview is built on request "
    "(it reads them all from the database). Choose divisions for an instant preview.": (
        "所选区划共有 {n} 个主体：预览在点击后生成（需从数据库读取全部主体）。选择区划可立即预览。"
    ),
    "Build the preview": "生成预览",
    "Writing {name}...": "正在生成{name}……",
    "teams": "组",
    "Internal lists carry addresses, phones and tiers: keep them inside the departments. "
    "The public list shows only what the law publishes, with individual operators' names masked.": (
        "内部名单含住所、电话和信用等级，仅限部门内部使用。公示名单只包含依法公开的信息，个体工商户经营者姓名已脱敏。"
    ),
    # publication
    "results, deadlines and objections (scheduler.publication)": "结果、时限与异议（scheduler.publication）",
    "Today": "今天",
    "Enter results": "录入结果",
    "Deadlines": "时限跟踪",
    "Objections": "异议处理",
    "Credit repair": "信用修复",
    "Assign a plan on the Inspector matching page to enter its results here.": "请先在“人员匹配”页面完成匹配，再在此录入检查结果。",
    "Plan {id}: one row per visit and department. Fill in the result code of the inspections done.": (
        "计划 {id}：每次检查、每个部门一行。请为已完成的检查填写结果代码。"
    ),
    "Inspected on": "检查日期",
    "Result": "检查结果",
    "Notes": "备注",
    "Record the results": "保存检查结果",
    "Recorded {n} results; {c} credit tier changes to report.": "已保存 {n} 条检查结果；{c} 项信用等级变更待报送。",
    "No deadlines yet: record results first.": "暂无时限事项：请先录入检查结果。",
    "status:overdue": "已逾期",
    "status:due": "未到期",
    "status:late": "逾期完成",
    "status:done": "按时完成",
    "Duty": "事项",
    "Show completed duties": "显示已完成事项",
    "The first {n} of {total} duties, soonest due first.": "共 {total} 项，按截止日期显示前 {n} 项。",
    "Since": "起算日",
    "Due": "截止日",
    "Done": "完成日",
    "Status": "状态",
    "Working days left": "剩余工作日",
    "Mark {n} results as published today": "将 {n} 条结果标记为今日已公示",
    "{n} results marked as published.": "{n} 条结果已标记为已公示。",
    "Report pending tier changes to the city platform": "向市信用平台报送待报信用等级变更",
    "{n} tier changes reported.": "已报送 {n} 项信用等级变更。",
    "File an objection": "登记异议",
    "Submit the objection": "提交异议",
    "Objection filed; decide it by {due}.": "异议已登记，请于 {due} 前作出决定。",
    "Decide an objection": "处理异议",
    "No open objection.": "没有待处理的异议。",
    "Objection": "异议",
    "Upheld": "异议成立",
    "Corrected tier (if upheld)": "更正后的等级（异议成立时）",
    "the tier before the change": "变更前的等级",
    "Note": "说明",
    "Decide": "作出决定",
    "Objection #{id} decided.": "异议 #{id} 已处理。",
    "Credit repair is possible after the minimum publicity period; a completed repair is reported "
    "to the city platform within 2 working days.": (
        "公示期满后方可申请信用修复；修复完成后须在 2 个工作日内报送市信用平台。"
    ),
    "Record an application": "登记修复申请",
    "Application #{id} recorded.": "修复申请 #{id} 已登记。",
    "Application number": "申请编号",
    "Complete the repair": "完成修复",
    "Report the completed repair": "报送修复结果",
    "Repair #{id} updated.": "信用修复 #{id} 已更新。",
    "No official holiday schedule for {year} yet: only weekends are treated as days off. "
    "Supply the State Council schedule as a holiday file (SCHEDULER_HOLIDAY_FILE).": (
        "尚无 {year} 年的官方节假日安排：暂仅将周末视为休息日。"
        "请以节假日文件（SCHEDULER_HOLIDAY_FILE）提供国务院办公厅公布的放假安排。"
    ),
}

ZH.update({f"Tier-{code} entities inspected": f"{code} 级主体被检查的比例" for code in "ABCDE"})
ZH.update({f"Entities in tier {code}": f"{code} 级主体占比" for code in "ABCDE"})

# widgets, audit log, presets (issue 14: Chinese everywhere a planner looks)
ZH.update(
    {
        "Choose options": "请选择",
        "Choose an option": "请选择",
        "yes": "是",
        "no": "否",
        "actor:system": "系统",
        "actor:dashboard": "看板",
        "actor:cli": "命令行",
        "event:directory.load": "导入名录",
        "event:plan.created": "创建计划",
        "event:draw.created": "随机抽取",
        "event:draw.redrawn": "重新抽取",
        "event:draw.substituted": "替补抽取",
        "event:assignment.run": "人员匹配",
        "event:assignment.swap": "调换检查人员",
        "event:results.import": "录入检查结果",
        "event:results.publish": "公示检查结果",
        "event:tier.change": "信用等级变更",
        "event:ratings.report": "报送信用等级",
        "event:objection.file": "登记异议",
        "event:objection.decide": "处理异议",
        "event:repair.apply": "登记信用修复",
        "event:repair.complete": "完成信用修复",
        "event:repair.report": "报送信用修复",
        "{entities} entities, {inspectors} inspectors, {ratings} credit ratings": (
            "{entities} 个主体，{inspectors} 名执法人员，{ratings} 条信用评价"
        ),
        "department {department}; {mode_label}": "部门：{department}；{mode_label}",
        "preset {preset}": "预设方案 {preset}",
        "plan mode:rates": "自定义比例",
        "plan mode:budget": "按检查总数",
        "plan {plan_id}: {sample_size} entities drawn, seed {seed}": (
            "计划 {plan_id}：抽中 {sample_size} 个主体，随机种子 {seed}"
        ),
        "plan {plan_id}: {sample_size} entities drawn, seed {seed}; reason: {reason}": (
            "计划 {plan_id}：抽中 {sample_size} 个主体，随机种子 {seed}；理由：{reason}"
        ),
        "{start} to {end}: {visits} visits, {unassigned} unassigned, seed {seed}": (
            "{start} 至 {end}：检查 {visits} 次，未分配 {unassigned} 次，随机种子 {seed}"
        ),
        "{count} results recorded": "录入 {count} 条检查结果",
        "detail:uscc": "统一社会信用代码",
        "detail:count": "条数",
        "detail:ids": "编号",
        "detail:on": "日期",
        "detail:plan_id": "计划",
        "detail:draw_id": "抽取",
        "detail:seed": "随机种子",
        "detail:reason": "理由",
        "detail:department": "部门",
        "detail:old": "原",
        "detail:new": "新",
        "detail:from_tier": "原等级",
        "detail:to_tier": "新等级",
        "detail:removed": "换下",
        "detail:added": "换上",
        "preset:weifang-default": "本项目默认（潍坊）",
        "subject:directory": "名录",
        "subject:plan": "计划",
        "subject:run": "匹配",
        "subject:objection": "异议",
        "subject:repair": "信用修复",
        "Upload": "上传",
        "{size} per file": "每个文件不超过 {size}",
    }
)

ZH.update(
    {  # publication page: estimates (issue 11)
        "Estimated violation rates": "违法率估计",
        "Estimates appear once results of this draw are recorded.": "录入本次抽取的检查结果后显示估计。",
        "{c:.0%} Korn–Graubard intervals; 样本量不足: effective sample size below {n:.0f}, "
        "read the rate with care.": (
            "{c:.0%} 置信区间（Korn–Graubard 法）；样本量不足：有效样本量低于 {n:.0f}，请谨慎解读。"
        ),
        "All": "全部",
        "Domain": "分组",
        "Value": "取值",
        "With result": "已有结果",
        "Violations": "违法数",
        "Rate": "违法率",
        "Interval": "置信区间",
        "Flag": "提示",
    }
)

ZH.update(
    {
        # sign-in and roles (dashboard/access.py)
        "Sign-in is not configured, so this dashboard only serves this computer (127.0.0.1). Configure sign-in in .streamlit/secrets.toml to serve others.": "未配置统一身份认证登录，本看板只为本机（127.0.0.1）提供服务。如需供他人使用，请在 .streamlit/secrets.toml 中配置登录。",
        "Local single-user mode: listening on 127.0.0.1 only, no sign-in.": "本地单用户模式：仅监听 127.0.0.1，无需登录。",
        "Sign in with your city account to use the dashboard.": "请使用市统一身份认证账号登录后使用本看板。",
        "Sign in": "登录",
        "The identity provider did not give a verified e-mail; access is refused.": "身份认证服务未提供已验证的电子邮箱，拒绝访问。",
        "Sign out": "退出登录",
        "{email} is signed in but has no access to this dashboard. Ask the 信用办 administrator to add you (scheduler users add).": "{email} 已登录，但没有本看板的使用权限。请联系信用办管理员为您开通（scheduler users add）。",
        "Signed in as {email} ({role})": "当前用户：{email}（{role}）",
        "role:admin": "管理员（信用办）",
        "role:planner": "计划员",
        "role:auditor": "审计员",
        "role:viewer": "查看者",
        "Your role does not allow this page or action.": "您的角色无权使用此页面或执行此操作。",
        "Your role can read plans but not save them.": "您的角色可以查看计划，但不能保存计划。",
    }
)

ZH.update(
    {  # credit commitments (issue 15)
        "Credit commitments": "信用承诺",
        "No credit commitments in the directory.": "名录中暂无信用承诺。",
        "Due within (days)": "到期天数范围",
        "{due} due within {days} days, {overdue} overdue, {broken} broken": (
            "{days} 天内到期 {due} 项，已逾期 {overdue} 项，未履约或不实承诺 {broken} 项"
        ),
        "Due": "即将到期",
        "Overdue": "已逾期",
        "Broken": "不实承诺/未履约",
        "No longer eligible for credit commitments": "不再适用信用承诺制名单",
        "No entity has broken a commitment.": "暂无不实承诺或未履约的主体。",
        "Download the list (CSV)": "下载名单（CSV）",
        "event:commitment.broken": "不实承诺/未履约",
        "Commitment checks: {drawn} drawn with probability 1 (pending, due by {until}); "
        "{others} drawn at random": (
            "承诺核查：{drawn} 个主体以概率 1 抽中（{until} 前到期的待履约承诺）；另随机抽取 {others} 个"
        ),
    }
)
ZH.update(
    {  # annual programme (issue 15)
        "Annual programme": "年度抽查计划",
        "Year": "年度",
        "Rounds a year": "每年抽查轮次",
        "Inspection rate": "抽查比例",
        "Minimum months between inspections": "同一主体最短检查间隔（月）",
        "Rounds kept out after an inspection": "检查后不再抽取的轮次",
        "Inspections at the stated rate": "按比例应检查数",
        "Expected inspections": "预计检查数",
        "Binding limit": "起约束作用的限制",
        "binds:rate": "抽查比例",
        "binds:frequency": "检查频次",
        "Rates and frequency limits agree: the rates bind in every tier.": (
            "抽查比例与检查频次一致：各等级均由抽查比例决定。"
        ),
        "The frequency limit binds in tier(s) {tiers}.": "{tiers} 级由检查频次限制起约束作用。",
        "{total} inspections expected in {year}; probabilities apply to the frame after "
        "repeat control by tier.": (
            "{year} 年预计检查 {total} 次；入样概率针对按等级剔除近期已检查主体后的抽样框。"
        ),
    }
)

ZH.update(
    {
        "Audit chain head: event {seq}, SHA-256 {hash}": "审计链头：第 {seq} 条事件，SHA-256 {hash}",
    }
)

ZH.update(
    {  # stored plans carry repeat control by tier; results mark commitments broken (issue 15)
        "Repeat control": "重复检查控制",
        "By credit tier (minimum months between inspections)": "按信用等级（同一主体最短检查间隔）",
        "One window for every tier": "各等级统一期限",
        "{tier}: months": "{tier}：间隔（月）",
        "{months} months, every tier": "各等级统一 {months} 个月",
        "Commitment checks (承诺核查): draw every pending commitment due by the last day": (
            "承诺核查：抽取检查期限最后一天前到期的全部待履约承诺主体"
        ),
        "Months per tier from the {year} plans {plans}.": "各等级检查间隔取自 {year} 年已存计划 {plans}。",
        "Months per tier from the preset.": "各等级检查间隔取自预设方案。",
        "Count the department's entities": "统计本部门检查对象",
        "Counted over the department's whole frame (a city: tens of seconds).": "年度计划按 1 月 1 日本部门全部检查对象统计（全市数据约需数十秒）。",
        "Counting the department's entities…": "正在统计本部门检查对象……",
        "Commitment check": "承诺核查",
        "Commitment finding": "承诺核查结论",
        "Commitment item": "承诺事项",
        "Recorded {n} results; {c} credit tier changes to report; {b} commitments marked broken.": (
            "已记录 {n} 条结果；{c} 项信用等级变更待报送；{b} 项承诺认定为不实承诺/未履约。"
        ),
    }
)

ZH.update(
    {  # stored plans carry their joint tier rule (issue 15)
        "An entity's tier in the joint plan": "联合抽查中主体的信用等级取值",
        "The least favourable of the departments' tiers (default)": "取各部门信用等级中最不利的（默认）",
        "The most favourable of the departments' tiers": "取各部门信用等级中最有利的",
        "The lead department's tier": "取牵头部门的信用等级",
        "Tier in the joint plan": "联合抽查等级取值",
    }
)
