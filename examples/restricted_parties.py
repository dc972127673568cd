"""The synthetic restricted-party list written to `provider/lists/restricted-parties.csv`.

Entries are modelled on public BIS Entity List additions for advanced computing (and a few
Russia/Iran entries and individuals) but are synthetic: addresses, notices and dates are
made up. Planted tenants in generate.py refer to these entries by their `key`.
"""

from __future__ import annotations

import hashlib

# Header copied exactly from the trade.gov Consolidated Screening List CSV.
CSL_HEADER = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,"
    "end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,"
    "gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,"
    "dates_of_birth,nationalities,places_of_birth,source_information_url,ids"
).split(",")

SOURCES = {
    "EL": "Entity List (EL) - Bureau of Industry and Security",
    "MEU": "Military End User (MEU) List - Bureau of Industry and Security",
    "UVL": "Unverified List (UVL) - Bureau of Industry and Security",
    "SDN": "Specially Designated Nationals (SDN) - Treasury Department",
}
_BIS_URL = "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern"
_URLS = {
    "EL": (f"{_BIS_URL}/entity-list", f"{_BIS_URL}/entity-list"),
    "MEU": (_BIS_URL, _BIS_URL),
    "UVL": (f"{_BIS_URL}/unverified-list", f"{_BIS_URL}/unverified-list"),
    "SDN": (
        "https://sanctionslist.ofac.treas.gov/Home/SdnList",
        "https://home.treasury.gov/policy-issues/financial-sanctions/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
    ),
}
_EL_REQ = "For all items subject to the EAR. (See §§ 734.9(h) and 744.11 of the EAR)"
_EL_POLICY = "Presumption of denial."
_MEU_REQ = "For any item subject to the EAR listed in supplement no. 2 to part 744."
_MEU_POLICY = (
    "The license application procedure and license review policy for entities specified in "
    "supplement no. 2 to part 744 is specified in §744.21(d) and (e)."
)

# key, list, name, alt_names, addresses, notice, start_date, extra fields
ENTRIES: list[tuple] = [
    # --- China: advanced computing, supercomputing, AI chips and models (EL) ---
    (
        "sugon",
        "EL",
        "Dawning Information Industry Co., Ltd.",
        [
            "Sugon",
            "Sugon Information Industry Co., Ltd.",
            "Zhongke Shuguang",
            "曙光信息产业股份有限公司",
        ],
        [
            "Building 36, Zhongguancun Software Park, No. 8 Dongbeiwang West Road, Haidian District, Beijing, CN",
            "No. 15 Huake Street, Huayuan Industrial Zone, Tianjin, CN",
        ],
        "84 FR 29371",
        "2019-06-24",
        {},
    ),
    (
        "hygon",
        "EL",
        "Tianjin Haiguang Advanced Technology Investment Co., Ltd.",
        ["THATIC", "Hygon", "天津海光先进技术投资有限公司"],
        [
            "No. 15 Haitai Huake 4th Road, Huayuan Industrial Zone, Binhai High-tech Zone, Tianjin, CN"
        ],
        "84 FR 29371",
        "2019-06-24",
        {},
    ),
    (
        "hygon-chengdu",
        "EL",
        "Chengdu Haiguang Integrated Circuit Design Co., Ltd.",
        ["Chengdu Haiguang IC", "成都海光集成电路设计有限公司"],
        ["No. 88 Tianchen Road, Hi-tech Zone, Chengdu, Sichuan, CN"],
        "84 FR 29371",
        "2019-06-24",
        {},
    ),
    (
        "jiangnan",
        "EL",
        "Wuxi Jiangnan Institute of Computing Technology",
        ["JNICT", "Jiangnan Computing Institute", "56th Research Institute"],
        ["No. 699 Shanshui East Road, Binhu District, Wuxi, Jiangsu, CN"],
        "84 FR 29371",
        "2019-06-24",
        {},
    ),
    (
        "nscc-jinan",
        "EL",
        "National Supercomputing Center Jinan",
        ["NSCC-JN", "National Supercomputer Center in Jinan"],
        ["No. 28666 Jingshi East Road, Licheng District, Jinan, Shandong, CN"],
        "86 FR 20587",
        "2021-04-08",
        {},
    ),
    (
        "nscc-shenzhen",
        "EL",
        "National Supercomputing Center Shenzhen",
        ["NSCC-SZ", "Shenzhen Cloud Computing Center"],
        ["No. 9 Duxue Road, Nanshan District, Shenzhen, Guangdong, CN"],
        "86 FR 20587",
        "2021-04-08",
        {},
    ),
    (
        "nscc-zhengzhou",
        "EL",
        "National Supercomputing Center Zhengzhou",
        ["NSCC-ZZ"],
        ["No. 100 Science Avenue, High-tech Zone, Zhengzhou, Henan, CN"],
        "86 FR 20587",
        "2021-04-08",
        {},
    ),
    (
        "phytium",
        "EL",
        "Tianjin Phytium Information Technology Co., Ltd.",
        ["Phytium Technology Co., Ltd.", "Phytium", "天津飞腾信息技术有限公司"],
        ["Building 5, Xin'an Venture Plaza, Binhai High-tech Zone, Tianjin, CN"],
        "86 FR 20587",
        "2021-04-08",
        {},
    ),
    (
        "shenwei",
        "EL",
        "Shanghai High-Performance Integrated Circuit Design Center",
        ["Shenwei Microelectronics", "Sunway Microelectronics", "SHPICDC"],
        ["No. 399 Bibo Road, Zhangjiang Hi-tech Park, Pudong New Area, Shanghai, CN"],
        "86 FR 20587",
        "2021-04-08",
        {},
    ),
    (
        "inspur-group",
        "EL",
        "Inspur Group Co., Ltd.",
        ["Inspur Group", "Langchao Group", "浪潮集团有限公司"],
        ["No. 1036 Langchao Road, High-tech Zone, Jinan, Shandong, CN"],
        "88 FR 12153",
        "2023-03-02",
        {},
    ),
    (
        "inspur-info",
        "EL",
        "Inspur Electronic Information Industry Co., Ltd.",
        ["Inspur Information", "浪潮电子信息产业股份有限公司"],
        ["No. 2877 Kehang Road, Suncun Town, Licheng District, Jinan, Shandong, CN"],
        "90 FR 13301",
        "2025-03-25",
        {},
    ),
    (
        "inspur-beijing",
        "EL",
        "Inspur (Beijing) Electronic Information Industry Co., Ltd.",
        ["Beijing Inspur Electronic Information"],
        ["No. 2 Xinxi Road, Shangdi, Haidian District, Beijing, CN"],
        "90 FR 13301",
        "2025-03-25",
        {},
    ),
    (
        "inspur-tw",
        "EL",
        "Inspur Taiwan Co., Ltd.",
        ["Inspur Taiwan"],
        ["7F, No. 188 Ruiguang Road, Neihu District, Taipei, TW"],
        "90 FR 13301",
        "2025-03-25",
        {},
    ),
    (
        "inspur-sg",
        "EL",
        "Inspur Singapore Pte. Ltd.",
        ["Inspur Singapore"],
        ["9 Raffles Place, #30-01 Republic Plaza, Singapore, SG"],
        "90 FR 13301",
        "2025-03-25",
        {},
    ),
    (
        "biren",
        "EL",
        "Shanghai Biren Intelligent Technology Co., Ltd.",
        ["Biren Technology", "上海壁仞智能科技有限公司"],
        ["Room 1101, Building 2, No. 1000 Zhangheng Road, Pudong New Area, Shanghai, CN"],
        "88 FR 73424",
        "2023-10-17",
        {},
    ),
    (
        "biren-beijing",
        "EL",
        "Beijing Biren Technology Development Co., Ltd.",
        ["Beijing Biren"],
        ["Room 602, Dongsheng Science Park, No. 66 Xixiaokou Road, Haidian District, Beijing, CN"],
        "88 FR 73424",
        "2023-10-17",
        {},
    ),
    (
        "moore",
        "EL",
        "Moore Threads Technology Co., Ltd.",
        [
            "Moore Threads",
            "Moore Threads Intelligent Technology (Beijing) Co., Ltd.",
            "摩尔线程智能科技(北京)有限责任公司",
        ],
        ["Building 2, Yard 9, Fenghao East Road, Haidian District, Beijing, CN"],
        "88 FR 73424",
        "2023-10-17",
        {},
    ),
    (
        "sophgo",
        "EL",
        "Sophgo Technologies Ltd.",
        ["Sophgo", "算能科技有限公司"],
        [
            "No. 11 Kechuang 12th Street, Beijing Economic-Technological Development Area, Beijing, CN"
        ],
        "90 FR 4612",
        "2025-01-16",
        {},
    ),
    (
        "zhipu",
        "EL",
        "Beijing Zhipu Huazhang Technology Co., Ltd.",
        ["Zhipu AI", "Zhipu Huazhang", "北京智谱华章科技有限公司"],
        ["Floor 10, Building 9, No. 1 Zhongguancun East Road, Haidian District, Beijing, CN"],
        "90 FR 4612",
        "2025-01-16",
        {},
    ),
    (
        "megvii",
        "EL",
        "Beijing Kuangshi Technology Co., Ltd.",
        ["Megvii", "Megvii Technology Limited", "北京旷视科技有限公司"],
        [
            "Block A, Rongke Information Center, No. 2 Kexueyuan South Road, Haidian District, Beijing, CN"
        ],
        "84 FR 54002",
        "2019-10-09",
        {},
    ),
    (
        "iflytek",
        "EL",
        "iFlytek Co., Ltd.",
        ["Anhui USTC iFlytek Co., Ltd.", "科大讯飞股份有限公司"],
        ["No. 666 Wangjiang West Road, High-tech Zone, Hefei, Anhui, CN"],
        "84 FR 54002",
        "2019-10-09",
        {},
    ),
    (
        "cloudwalk",
        "EL",
        "CloudWalk Technology Co., Ltd.",
        ["Yuncong Technology", "云从科技集团股份有限公司"],
        ["No. 1 Nansha Port Avenue, Nansha District, Guangzhou, Guangdong, CN"],
        "85 FR 34495",
        "2020-06-05",
        {},
    ),
    (
        "pcl",
        "EL",
        "Peng Cheng Laboratory",
        ["PCL", "鹏城实验室"],
        ["No. 2 Xingke 1st Street, Nanshan District, Shenzhen, Guangdong, CN"],
        "88 FR 73424",
        "2023-10-17",
        {},
    ),
    (
        "caep",
        "EL",
        "China Academy of Engineering Physics",
        ["CAEP", "Ninth Academy", "Southwest Computing Center"],
        ["No. 64 Mianshan Road, Mianyang, Sichuan, CN"],
        "62 FR 35334",
        "1997-06-30",
        {},
    ),
    (
        "nudt",
        "EL",
        "National University of Defense Technology",
        ["NUDT", "国防科技大学"],
        ["No. 109 Deya Road, Kaifu District, Changsha, Hunan, CN"],
        "80 FR 8524",
        "2015-02-18",
        {},
    ),
    (
        "hit",
        "EL",
        "Harbin Institute of Technology",
        ["HIT", "哈尔滨工业大学"],
        ["No. 92 West Dazhi Street, Nangang District, Harbin, Heilongjiang, CN"],
        "85 FR 34495",
        "2020-06-05",
        {},
    ),
    (
        "lingjun-hk",
        "EL",
        "Lingjun Electronics (HK) Limited",
        ["Lingjun Electronics", "Lingjun HK"],
        ["Room 1501, 15/F, Grand Millennium Plaza, 181 Queen's Road Central, Hong Kong, HK"],
        "89 FR 84480",
        "2024-10-22",
        {},
    ),
    (
        "xinghe-hk",
        "EL",
        "Xinghe Compute Trading Limited",
        ["Xinghe Trading", "星河算力贸易有限公司"],
        ["Unit 12, 9/F, Kwai Cheong Centre, 50 Kwai Cheong Road, Kwai Chung, Hong Kong, HK"],
        "89 FR 84480",
        "2024-10-22",
        {},
    ),
    (
        "corebridge-sg",
        "EL",
        "Corebridge Semiconductor Pte. Ltd.",
        ["Corebridge Semi"],
        ["21 Bukit Batok Crescent, #08-80 WCEGA Tower, Singapore, SG"],
        "89 FR 84480",
        "2024-10-22",
        {},
    ),
    (
        "zhongke-jiahe",
        "EL",
        "Zhongke Jiahe Intelligent Computing (Beijing) Co., Ltd.",
        ["Jiahe Intelligent Computing", "中科嘉禾智算(北京)有限公司"],
        ["No. 6 Kexueyuan South Road, Haidian District, Beijing, CN"],
        "90 FR 13301",
        "2025-03-25",
        {},
    ),
    (
        "smic",
        "EL",
        "Semiconductor Manufacturing International Corporation",
        [],
        ["No. 18 Zhangjiang Road, Pudong New Area, Shanghai, CN"],
        "85 FR 83416",
        "2020-12-22",
        {},
    ),
    (
        "suanli-sz",
        "EL",
        "Shenzhen Suanli Network Technology Co., Ltd.",
        ["Suanli Network"],
        ["Room 2305, Tower B, Kexing Science Park, Nanshan District, Shenzhen, Guangdong, CN"],
        "90 FR 13301",
        "2025-03-25",
        {},
    ),
    # --- Russia / Iran (EL and SDN) ---
    (
        "baikal",
        "SDN",
        "Joint Stock Company Baikal Electronics",
        ["AO Baikal Elektroniks", "Baikal Electronics JSC", "Baikal Electronics"],
        ["Ul. Rochdelskaya d. 15 str. 30, Moscow, 123022, RU"],
        "",
        "2022-03-31",
        {"type": "Entity", "programs": "RUSSIA-EO14024", "entity_number": "37411"},
    ),
    (
        "mcst",
        "EL",
        "JSC MCST",
        ["Moscow Center of SPARC Technologies", "AO MTsST"],
        ["Vavilova ul. d. 24, Moscow, 119334, RU"],
        "87 FR 12226",
        "2022-03-03",
        {},
    ),
    (
        "tplatforms",
        "EL",
        "T-Platforms",
        ["T-Platforms JSC", "T-Platforms Deutschland GmbH"],
        ["Leninsky Prospekt 113/1, Moscow, 117198, RU"],
        "78 FR 12614",
        "2013-03-07",
        {},
    ),
    (
        "sigma-ru",
        "SDN",
        "Limited Liability Company Sigma Vychislitelnye Sistemy",
        ["OOO Sigma VS", "Sigma Computing Systems LLC"],
        ["Nauchny proezd d. 12, Moscow, 117246, RU"],
        "",
        "2024-05-01",
        {"type": "Entity", "programs": "RUSSIA-EO14024", "entity_number": "47810"},
    ),
    (
        "iei",
        "SDN",
        "Iran Electronics Industries",
        ["IEI", "Sanaye Electronic Iran", "Sasad Iran Electronics Industries"],
        ["P.O. Box 18575-365, Shiraz, IR", "Sayad Shirazi Square, Tehran, IR"],
        "",
        "2008-09-17",
        {"type": "Entity", "programs": "NPWMD; IRGC; IFSR", "entity_number": "10631"},
    ),
    (
        "pardazesh",
        "EL",
        "Pardazesh Sazan Andisheh Company",
        ["PSA Co.", "Andisheh Processing Systems"],
        ["No. 14 Gandhi Street, Tehran, IR"],
        "88 FR 18983",
        "2023-03-30",
        {},
    ),
    (
        "azimut",
        "EL",
        "Azimut Trading FZE",
        ["Azimut Trading"],
        ["Office 1207, Jumeirah Business Centre 2, Jumeirah Lakes Towers, Dubai, AE"],
        "89 FR 51644",
        "2024-06-12",
        {},
    ),
    # --- Military End User and Unverified List ---
    (
        "avic-xian",
        "MEU",
        "Aviation Industry Corporation of China Xi'an Aircraft Industry Group",
        ["AVIC XAIC", "Xi'an Aircraft Industry Group"],
        ["No. 1 Xifei Avenue, Yanliang District, Xi'an, Shaanxi, CN"],
        "85 FR 83799",
        "2020-12-23",
        {},
    ),
    (
        "casic-2",
        "MEU",
        "China Aerospace Science and Industry Corporation Second Academy",
        ["CASIC 2nd Academy", "Beijing Institute of Electronic System Engineering"],
        ["No. 52 Yongding Road, Haidian District, Beijing, CN"],
        "85 FR 83799",
        "2020-12-23",
        {},
    ),
    (
        "kaiyuan-uvl",
        "UVL",
        "Shenzhen Kaiyuan Hengtong Electronics Co., Ltd.",
        [],
        ["Room 801, Block C, Huaqiang Plaza, Futian District, Shenzhen, Guangdong, CN"],
        "",
        "",
        {},
    ),
    (
        "huaxin-uvl",
        "UVL",
        "Guangzhou Huaxin Precision Instruments Co., Ltd.",
        [],
        ["No. 23 Kexue Avenue, Huangpu District, Guangzhou, Guangdong, CN"],
        "",
        "",
        {},
    ),
    (
        "ural-uvl",
        "UVL",
        "Uralskiy Komputerniy Tsentr OOO",
        ["Ural Computer Centre"],
        ["Ul. Malysheva d. 51, Yekaterinburg, 620075, RU"],
        "",
        "",
        {},
    ),
    # --- Individuals (SDN) ---
    (
        "kovalev",
        "SDN",
        "KOVALEV, Dmitriy Sergeyevich",
        ["KOVALYOV, Dmitri Sergeevich"],
        ["Moscow, RU"],
        "",
        "2023-02-24",
        {
            "type": "Individual",
            "programs": "RUSSIA-EO14024",
            "entity_number": "44120",
            "dates_of_birth": "1979-04-11",
            "nationalities": "RU",
            "citizenships": "RU",
            "places_of_birth": "Zelenograd, Russia",
        },
    ),
    (
        "morozov",
        "SDN",
        "MOROZOV, Aleksei Viktorovich",
        ["MOROZOV, Alexey"],
        ["Saint Petersburg, RU"],
        "",
        "2024-02-23",
        {
            "type": "Individual",
            "programs": "RUSSIA-EO14024",
            "entity_number": "46602",
            "dates_of_birth": "1983-09-02",
            "nationalities": "RU",
            "citizenships": "RU",
        },
    ),
    (
        "tavakoli",
        "SDN",
        "TAVAKOLI, Reza",
        ["TAVAKKOLI, Reza"],
        ["Tehran, IR"],
        "",
        "2021-11-19",
        {
            "type": "Individual",
            "programs": "NPWMD; IFSR",
            "entity_number": "33018",
            "dates_of_birth": "1968",
            "nationalities": "IR",
            "places_of_birth": "Isfahan, Iran",
        },
    ),
    (
        "chen-jianhua",
        "SDN",
        "CHEN, Jianhua",
        ["CHEN, Jian Hua", "Jack CHEN"],
        ["Dalian, CN"],
        "",
        "2022-06-01",
        {
            "type": "Individual",
            "programs": "NPWMD; IFSR",
            "entity_number": "41277",
            "dates_of_birth": "1975-01-30",
            "nationalities": "CN",
            "citizenships": "CN",
        },
    ),
    # --- Added recently (issue 12): a listing inside the example's sign-in window, for the
    # renaming-after-listing pattern (planted_cip.py). Invented like every entry here.
    (
        "xuanwu",
        "EL",
        "Xuanwu Hengtong Intelligent Computing Co., Ltd.",
        [],
        ["No. 88 Keji South Road, Nanshan District, Shenzhen, CN"],
        "91 FR 48210",
        "2026-09-15",
        {},
    ),
]


def entry_by_key(key: str) -> dict:
    for e in ENTRIES:
        if e[0] == key:
            return {"key": e[0], "list": e[1], "name": e[2], "alt_names": e[3], "addresses": e[4]}
    raise KeyError(key)


def restricted_party_rows() -> list[dict[str, str]]:
    """Rows in CSL column order; `_id` is a stable hash like trade.gov's for BIS entries."""
    rows = []
    for _key, lst, name, alts, addrs, notice, start, extra in ENTRIES:
        row = dict.fromkeys(CSL_HEADER, "")
        digest = hashlib.sha224(f"{lst}|{name}".encode()).hexdigest()
        row["_id"] = extra.get("entity_number") or digest
        row["source"] = SOURCES[lst]
        row["name"] = name
        row["addresses"] = "; ".join(addrs)
        row["alt_names"] = "; ".join(alts)
        row["federal_register_notice"] = notice
        row["start_date"] = start
        row["source_list_url"], row["source_information_url"] = _URLS[lst]
        if lst == "EL":
            row["license_requirement"], row["license_policy"] = _EL_REQ, _EL_POLICY
        elif lst == "MEU":
            row["license_requirement"], row["license_policy"] = _MEU_REQ, _MEU_POLICY
        for k, v in extra.items():
            row[k] = v
        rows.append(row)
    return rows
