"""Word lists for realistic synthetic names and addresses in Weifang.

Data, not logic: surnames and given-name characters for people, trade words
per supervision sector, and a few real town/street and road names for each of
Weifang's 12 divisions. Name *templates* use ``{placeholders}`` filled by
``scheduler.data.synth.entities``: ``{person}`` (operator), ``{div}`` (division name,
e.g. 寿光市), ``{town}``, ``{brand}`` (字号), ``{trade}`` and ``{n}``.
No real person or business is meant; any match is coincidence.
"""

from __future__ import annotations

# fmt: off
__all__ = [
    "SURNAMES",
    "GIVEN_CHARS",
    "BRANDS",
    "PLACES",
    "MOBILE_PREFIXES",
    "INDIVIDUAL",
    "INDIVIDUAL_TEMPLATES",
    "ENTERPRISE",
    "ENTERPRISE_TEMPLATES",
    "COOP",
    "COOP_TEMPLATES",
    "INSTITUTION",
    "SOCIAL_ORG",
    "COMPANIONS",
    "TAGS",
]

SURNAMES = (
    "王张李刘赵孙杨陈高徐马于郭宋孟韩周吴朱胡林何郑梁谢唐许冯邓曹彭曾田董袁潘蒋蔡杜程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆范金石贾夏付方白邹秦薛闫段侯史贺顾毛郝邵万武戴孔"
)
"""Common surnames, most frequent first (Shandong's top ones lead); weights are Zipf-like."""

GIVEN_CHARS = (
    "建国华明志文永海丽秀英军红玉春伟芳敏静强磊洋勇艳杰娟涛超霞平刚兰凤云燕梅飞鹏辉波宁"
    "林峰亮斌俊玲婷娜雪慧振德成庆光宏东新金福广兴立晓彬家胜利宝荣洪学松梦佳欣悦浩宇轩"
)

BRANDS = (
    "鑫源", "恒泰", "华信", "瑞丰", "金诺", "盛达", "宏图", "天元", "富民", "利通", "东方", "新华",
    "银河", "海诺", "润丰", "泰和", "鲁潍", "鸢都", "风筝", "弘毅", "博远", "中兴", "永盛", "康宁",
    "嘉禾", "圣丰", "德润", "佳美", "同创", "兴业", "鼎盛", "汇通", "聚源", "昌盛", "启明", "安泰",
    "绿源", "丰华", "凯瑞", "百川", "万和", "锦绣", "明德", "华宇", "正大", "亿通", "金土地",
    "沃土",
    "惠民", "乐家", "福瑞", "晟达", "春晖", "青松", "蓝海", "乾元", "坤泰", "宏远", "众诚", "和顺",
)
"""Shop names (字号) for companies, cooperatives and associations."""

PLACES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "370702": (
        ("城关街道", "南关街道", "西关街道", "北关街道", "于河街道", "望留街道"),
        ("胜利西街", "东风西街", "向阳路", "和平路", "北宫西街", "健康西街"),
    ),
    "370703": (
        ("寒亭街道", "开元街道", "固堤街道", "高里街道", "朱里街道"),
        ("通亭街", "民主街", "北海路", "寒亭路", "海龙路", "泰祥街"),
    ),
    "370704": (
        ("凤凰街道", "坊安街道", "坊城街道", "黄旗堡街道", "九龙街道", "王家庄街道"),
        ("龙泉街", "郑公街", "北海路", "凤凰街", "坊泰路", "崇文街"),
    ),
    "370705": (
        ("东关街道", "大虞街道", "梨园街道", "廿里堡街道", "潍州路街道", "北苑街道", "广文街道"),
        ("胜利东街", "东风东街", "福寿街", "健康东街", "潍州路", "新华路", "四平路", "鸢飞路"),
    ),
    "370724": (
        ("城关街道", "东城街道", "冶源街道", "五井镇", "寺头镇", "九山镇", "辛寨镇", "柳山镇"),
        ("民主路", "骈邑路", "兴隆路", "龙泉路", "朐山路", "东镇路"),
    ),
    "370725": (
        ("宝城街道", "朱刘街道", "五图街道", "乔官镇", "鄌郚镇", "红河镇", "营丘镇"),
        ("新昌路", "方山路", "利民街", "宝石街", "首阳山路", "孤山街"),
    ),
    "370781": (
        ("王府街道", "益都街道", "云门山街道", "黄楼街道", "弥河镇", "王坟镇", "高柳镇", "谭坊镇"),
        ("云门山路", "海岱路", "范公亭路", "驼山路", "玲珑山路", "昭德路"),
    ),
    "370782": (
        ("密州街道", "龙都街道", "舜王街道", "昌城镇", "枳沟镇", "相州镇", "辛兴镇", "贾悦镇"),
        ("和平街", "人民路", "兴华路", "密州路", "东坡街", "繁荣路"),
    ),
    "370783": (
        ("圣城街道", "文家街道", "古城街道", "洛城街道", "孙家集街道", "化龙镇", "营里镇", "台头镇",
         "田柳镇", "稻田镇", "羊口镇", "侯镇", "纪台镇"),
        ("农圣街", "圣城街", "金光街", "银海路", "渤海路", "建新街", "文圣街"),
    ),
    "370784": (
        ("兴安街道", "新安街道", "景芝镇", "凌河镇", "官庄镇", "大盛镇", "石埠子镇", "金冢子镇"),
        ("人民路", "潍徐路", "健康路", "汶水路", "商场路", "青云路"),
    ),
    "370785": (
        ("醴泉街道", "朝阳街道", "密水街道", "柏城镇", "夏庄镇", "姜庄镇", "阚家镇", "井沟镇"),
        ("人民大街", "康成大街", "凤凰大街", "夷安大道", "醴泉大街", "立新街"),
    ),
    "370786": (
        ("奎聚街道", "都昌街道", "围子街道", "柳疃镇", "龙池镇", "卜庄镇", "饮马镇", "下营镇"),
        ("文山路", "利民街", "北海路", "奎聚路", "交通街", "新村路"),
    ),
}
"""Per division: (streets and towns 街道/镇, roads)."""

MOBILE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
    "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "177",
    "180", "181", "189", "191", "199",
)

# --- 个体工商户: sector -> (weight, trades); named after the operator -----------------
INDIVIDUAL: dict[str, tuple[float, tuple[str, ...]]] = {
    "catering": (26, ("烧烤店", "饭店", "面馆", "水饺店", "快餐店", "小吃部", "早餐店", "火锅店",
                      "包子铺", "菜馆", "肉火烧店", "朝天锅店", "排骨米饭店")),
    "food": (24, ("便利店", "超市", "副食店", "食品店", "蔬菜店", "水果店", "粮油店", "熟食店",
                  "糕点店", "茶叶店", "调料店", "蔬菜批发部", "食品经营部")),
    "price": (12, ("服装店", "五金店", "建材店", "家电维修部", "百货店", "鞋店", "家具店",
                   "日用品商店", "床上用品店", "汽车修理部")),
    "public_venue": (5, ("理发店", "美容美发店", "浴池", "旅馆", "足疗店", "美发工作室")),
    "tobacco_retail": (3, ("烟酒店", "烟酒超市", "烟酒副食店")),
    "cosmetics": (3, ("化妆品店", "美妆店")),
    "crop": (3, ("蔬菜种植园", "果园", "家庭农场", "大棚蔬菜种植点")),
    "drug": (2, ("大药房", "药店", "诊所药房")),
    "advertising": (2, ("广告部", "图文设计部", "广告制作部")),
    "logistics": (2, ("货运部", "物流信息部", "搬家服务部")),
    "ecommerce": (2, ("网店", "电子商务经营部")),
    "agri_input": (2, ("农资店", "种子门市部", "化肥经营部")),
    "livestock": (2, ("养殖场", "养鸡场", "养猪场", "肉羊养殖场")),
    "agri_purchase": (2, ("粮食收购点", "果蔬购销部", "生姜收购点")),
    "construction": (2, ("装饰工程部", "装修队", "水电安装部")),
    "telecom": (1, ("通讯器材店", "手机店")),
    "medical_device": (1, ("医疗器械店", "助听器店")),
    "metrology": (1, ("眼镜店", "衡器经营部")),
    "housekeeping": (1, ("家政服务部", "保洁服务部")),
    "express": (1, ("快递服务站", "快递代收点")),
    "estate_agency": (1, ("房产中介服务部",)),
    "taxi": (0.5, ("出租汽车客运部",)),
    "vet_drug": (0.5, ("兽药店",)),
    "internet_cafe": (0.5, ("网吧",)),
    "entertainment": (0.5, ("KTV", "歌舞厅")),
    "sports_venue": (0.5, ("健身馆", "台球室", "游泳馆")),
    "fishery_operator": (0.5, ("水产养殖场", "渔具店")),
}

INDIVIDUAL_TEMPLATES = (("{person}{trade}", 0.5), ("{div}{person}{trade}", 0.3),
                        ("{div}{town}{person}{trade}", 0.2))


def _company(*industries: str) -> tuple[str, ...]:
    """Industry words x company forms, the plain 有限公司 most often."""
    forms = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
    return tuple(word + form for word in industries for form in forms)


# --- 企业: sector -> (weight, name tails) --------------------------------------------
ENTERPRISE: dict[str, tuple[float, tuple[str, ...]]] = {
    "price": (14, _company("商贸", "贸易", "百货", "实业", "石油销售")),
    "environment": (12, _company("机械制造", "纺织", "汽车配件", "电子科技", "塑料制品", "橡胶制品",
                                 "包装制品", "服饰", "家具", "新材料", "化纤", "木业")),
    "food": (7, _company("食品", "粮油", "调味品", "饮品", "肉制品")),
    "construction": (6, _company("建筑工程", "建设工程", "建筑安装", "装饰工程")),
    "catering": (4, _company("餐饮管理", "酒店管理", "餐饮服务")),
    "sci_project": (4, _company("科技", "生物科技", "智能科技", "信息技术")),
    "logistics": (4, _company("物流", "供应链管理", "运输")),
    "special_equipment": (3, _company("机械", "电梯工程", "锅炉", "起重设备")),
    "ecommerce": (3, _company("电子商务", "网络科技")),
    "advertising": (3, _company("广告", "文化传媒")),
    "telecom": (2, _company("通信工程", "网络技术")),
    "real_estate": (2, _company("房地产开发", "置业")),
    "crop": (2, _company("农业科技", "种业", "果蔬", "农业发展")),
    "drug": (1.5, _company("医药", "大药房连锁", "药业")),
    "property_mgmt": (1.5, _company("物业管理", "物业服务")),
    "engineering_service": (1.5, _company("工程咨询", "工程监理", "工程造价咨询", "建设工程检测")),
    "hazchem": (1.5, _company("化工", "石化", "精细化工")),
    "medical_device": (1, _company("医疗器械", "医疗科技")),
    "medical": (1, ("医院有限公司", "口腔门诊部有限公司", "诊所有限公司", "中医医院有限公司")),
    "livestock": (1, _company("牧业", "畜牧", "养殖")),
    "agri_purchase": (1, _company("农产品", "果蔬贸易", "冷藏")),
    "metallurgy": (1, _company("钢铁", "铸造", "金属制品", "冶金")),
    "estate_agency": (1, _company("房地产经纪", "房产中介")),
    "landscaping": (1, _company("园林绿化", "园林工程")),
    "hr_service": (1, _company("人力资源", "劳务派遣", "劳务服务")),
    "private_training": (1, _company("教育咨询", "教育科技")),
    "import_export": (1, _company("进出口", "国际贸易")),
    "energy": (0.8, _company("能源", "新能源", "热电", "燃气")),
    "agri_input": (0.8, _company("农资", "化肥", "农业生产资料")),
    "public_venue": (0.8, _company("洗浴", "美容美发", "宾馆")),
    "cosmetics": (0.5, _company("化妆品", "日化")),
    "energy_saving": (0.5, _company("节能科技", "环保科技")),
    "feed": (0.5, _company("饲料")),
    "agri_machinery": (0.5, _company("农业机械", "农机")),
    "housekeeping": (0.5, _company("家政服务")),
    "tobacco_retail": (0.5, _company("连锁超市", "便利店")),
    "fishery_operator": (0.4, _company("水产", "海洋科技")),
    "travel_agency": (0.4, ("国际旅行社有限公司", "旅行社有限公司")),
    "express": (0.4, _company("快递", "速递")),
    "vet_drug": (0.3, _company("兽药", "动物药业")),
    "slaughter": (0.3, _company("肉类食品", "屠宰")),
    "entertainment": (0.3, _company("娱乐", "歌舞娱乐")),
    "star_hotel": (0.3, ("大酒店有限公司", "国际酒店有限公司", "宾馆有限公司")),
    "sports_venue": (0.3, _company("体育文化", "健身")),
    "testing_lab": (0.3, _company("检验检测", "检测技术")),
    "mining": (0.3, _company("矿业", "石材")),
    "accounting_firm": (0.3, ("会计师事务所有限公司", "会计师事务所（普通合伙）",
                              "财务咨询有限公司")),
    "highway": (0.3, _company("路桥工程", "公路工程")),
    "water_works": (0.3, _company("水利工程", "水务")),
    "surveying": (0.3, _company("测绘", "地理信息")),
    "forestry": (0.3, _company("林业", "苗木")),
    "exhibition": (0.3, _company("会展", "展览服务")),
    "elderly_care": (0.3, _company("养老服务", "健康管理")),
    "vocational_training": (0.3, ("职业培训学校有限公司", "技能培训有限公司")),
    "ready_mix": (0.5, _company("混凝土", "建材")),
    "grain_storage": (0.2, _company("粮食储备", "粮油储运")),
    "geology": (0.2, _company("地质勘查", "勘察设计")),
    "taxi": (0.2, _company("出租汽车", "客运")),
    "performance": (0.2, _company("文化演艺", "演出")),
    "internet_cafe": (0.2, _company("网络会所")),
    "scenic_area": (0.2, _company("旅游开发", "文化旅游")),
    "metrology": (0.2, _company("仪器仪表", "计量检测")),
    "fishing_vessel": (0.2, _company("渔业", "远洋渔业")),
    "intellectual_property": (0.2, ("知识产权代理有限公司", "专利代理事务所（普通合伙）")),
    "procurement_agency": (0.2, _company("招标代理", "项目管理")),
    "law_firm": (0.2, ("律师事务所",)),
    "audit_firm": (0.1, ("审计事务所有限公司",)),
    "forensic": (0.1, ("司法鉴定所",)),
    "legal_service": (0.1, ("法律服务所",)),
    "microcredit": (0.1, ("小额贷款有限公司", "小额贷款股份有限公司")),
    "financing_guarantee": (0.1, ("融资担保有限公司",)),
    "private_capital": (0.1, ("民间资本管理有限公司",)),
    "lightning": (0.1, _company("防雷科技", "防雷检测")),
    "salt": (0.1, _company("盐业", "盐化")),
    "waterway": (0.1, _company("港航工程")),
    "fireworks": (0.1, _company("烟花爆竹")),
}

ENTERPRISE_TEMPLATES = (("潍坊{brand}{trade}", 0.35), ("山东{brand}{trade}", 0.15),
                        ("{div}{brand}{trade}", 0.45), ("潍坊市{brand}{trade}", 0.05))

# --- 农民专业合作社: always farmer_coop plus one product sector ---------------------------
COOP: dict[str, tuple[float, tuple[str, ...]]] = {
    "crop": (55, ("蔬菜种植", "果蔬", "粮食种植", "苹果种植", "樱桃种植", "生姜种植", "大葱种植",
                  "西瓜种植", "食用菌", "草莓种植", "萝卜种植")),
    "livestock": (20, ("生猪养殖", "肉鸡养殖", "奶牛养殖", "蛋鸡养殖", "肉羊养殖")),
    "agri_purchase": (8, ("果蔬购销", "农产品购销")),
    "agri_machinery": (8, ("农机", "农机服务")),
    "forestry": (5, ("林果", "苗木花卉")),
    "fishery_operator": (4, ("水产养殖",)),
}

COOP_TEMPLATES = (("{div}{brand}{trade}专业合作社", 0.8),
                  ("{div}{town}{brand}{trade}专业合作社", 0.2))

# --- 事业单位 and 社会组织: sector (or "" for none) -> (weight, full name templates) ------
INSTITUTION: dict[str, tuple[float, tuple[str, ...]]] = {
    "": (60, ("{div}{town}农业综合服务中心", "{div}第{n}中学", "{div}{town}中心小学",
              "{div}图书馆", "{div}文化馆", "{div}不动产登记中心", "{div}{town}便民服务中心",
              "{div}城市建设服务中心", "{div}{town}中心幼儿园", "{div}档案馆")),
    "medical": (20, ("{div}{town}卫生院", "{div}人民医院", "{div}中医院", "{div}妇幼保健院",
                     "{div}疾病预防控制中心")),
    "testing_lab": (5, ("{div}检验检测中心", "{div}农产品质量检测中心")),
    "elderly_care": (5, ("{div}社会福利中心", "{div}{town}敬老院")),
    "grain_storage": (3, ("{div}粮食储备库",)),
    "scenic_area": (3, ("{div}{brand}风景区管理服务中心",)),
    "notary": (2, ("{div}公证处",)),
    "vocational_training": (2, ("{div}职业教育中心学校", "{div}技工学校")),
}

SOCIAL_ORG: dict[str, tuple[float, tuple[str, ...]]] = {
    "": (60, ("潍坊市{brand}商会", "{div}个体劳动者协会", "{div}{brand}志愿者协会",
              "{div}餐饮行业协会", "{div}{town}社会工作服务中心", "{div}蔬菜产业协会",
              "潍坊市风筝协会", "{div}慈善总会", "{div}{brand}文化交流协会")),
    "elderly_care": (15, ("{div}{brand}养老服务中心", "{div}{brand}颐养院", "{div}{town}老年公寓")),
    "private_training": (15, ("{div}{brand}培训学校", "{div}{brand}艺术培训学校")),
    "sports_venue": (5, ("{div}{brand}体育俱乐部", "{div}{brand}武术馆")),
    "vocational_training": (5, ("{div}{brand}职业培训学校",)),
}

COMPANIONS: dict[str, tuple[str, ...]] = {
    "catering": ("food", "tobacco_retail", "public_venue"),
    "food": ("tobacco_retail", "catering", "price", "agri_purchase"),
    "price": ("advertising", "metrology", "ecommerce", "food"),
    "public_venue": ("cosmetics", "price"),
    "tobacco_retail": ("food", "price"),
    "cosmetics": ("price", "advertising"),
    "crop": ("agri_input", "agri_purchase"),
    "drug": ("medical_device", "medical_insurance", "cosmetics"),
    "medical": ("medical_insurance", "drug", "medical_device"),
    "medical_device": ("drug", "price"),
    "logistics": ("express", "import_export"),
    "ecommerce": ("food", "advertising", "logistics"),
    "agri_input": ("vet_drug", "crop"),
    "livestock": ("feed", "vet_drug", "slaughter"),
    "agri_purchase": ("food", "crop", "import_export"),
    "construction": ("migrant_wages", "special_equipment", "ready_mix"),
    "real_estate": ("migrant_wages", "construction", "property_mgmt"),
    "landscaping": ("migrant_wages", "forestry"),
    "highway": ("migrant_wages", "engineering_service"),
    "water_works": ("migrant_wages", "engineering_service"),
    "environment": ("special_equipment", "import_export", "energy_saving", "metrology"),
    "hazchem": ("environment", "special_equipment", "lightning"),
    "metallurgy": ("environment", "special_equipment"),
    "mining": ("environment", "hazchem"),
    "fireworks": ("lightning",),
    "special_equipment": ("environment", "metrology"),
    "energy": ("special_equipment", "environment", "lightning"),
    "star_hotel": ("catering", "public_venue"),
    "scenic_area": ("catering", "travel_agency"),
    "entertainment": ("public_venue", "performance"),
    "sports_venue": ("public_venue",),
    "fishery_operator": ("fishing_vessel",),
    "private_training": ("vocational_training",),
    "elderly_care": ("medical", "catering"),
    "testing_lab": ("metrology",),
    "telecom": ("price", "ecommerce"),
    "sci_project": ("intellectual_property", "testing_lab", "environment"),
    "slaughter": ("food", "environment"),
    "feed": ("environment", "vet_drug"),
}
"""Second and third sectors that go with a primary one; ``price`` where none is listed."""

TAGS: dict[str, dict[str, float]] = {
    "个体工商户": {"taxpayer": 0.45, "labor_employer": 0.05, "statistics": 0.03,
                   "fire_safety": 0.02},
    "企业": {"taxpayer": 0.92, "labor_employer": 0.55, "statistics": 0.35, "fire_safety": 0.2,
           "housing_fund": 0.25},
    "农民专业合作社": {"taxpayer": 0.3, "statistics": 0.1},
    "事业单位": {"labor_employer": 0.8, "housing_fund": 0.9, "fire_safety": 0.3, "statistics": 0.3},
    "社会组织": {"taxpayer": 0.2, "labor_employer": 0.3},
}
"""Cross-cutting sectors (tax, labour, statistics, fire, housing fund) by entity type."""
