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
    "credit tiers (scheduler.tiers)": "信用等级计算（scheduler.tiers）",
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
    "the importer and database loader (scheduler.importer, scheduler.loader)": (
        "数据导入与入库（scheduler.importer、scheduler.loader）"
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
    "draw receipts and verification (scheduler.receipt)": "抽取凭证与验证（scheduler.receipt）",
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
}

ZH.update({f"Tier-{code} entities inspected": f"{code} 级主体被检查的比例" for code in "ABCDE"})
ZH.update({f"Entities in tier {code}": f"{code} 级主体占比" for code in "ABCDE"})
