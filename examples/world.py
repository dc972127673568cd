"""Static facts the example generator draws from: countries, names, regions, instance types.

Everything here is plausible but made up (street names, phone numbers, IP prefixes); the
instance type names are the clouds' real ones.
"""

from __future__ import annotations

# cc: (cities, streets, legal forms, phone patterns, email tld, region group, ip /16 prefixes)
# Phone patterns: each X is a random digit.
COUNTRIES: dict[str, tuple] = {
    "US": (["San Francisco", "New York", "Seattle", "Austin", "Boston", "Chicago", "Denver", "San Jose"],
           ["Market Street", "Mission Street", "Broadway", "Pike Street", "Congress Avenue", "Main Street", "Harbor Boulevard"],
           ["Inc.", "LLC", "Corp."], ["+1 415 555 XXXX", "+1 212 555 XXXX", "+1 206 555 XXXX", "+1 512 555 XXXX", "+1 617 555 XXXX"],
           "com", "na", ["34.201", "73.162", "98.207", "67.180"]),
    "CA": (["Toronto", "Vancouver", "Montreal", "Ottawa"], ["King Street West", "Granville Street", "Rue Sainte-Catherine"],
           ["Inc.", "Ltd."], ["+1 416 555 XXXX", "+1 604 555 XXXX"], "ca", "na", ["142.112", "24.114"]),
    "GB": (["London", "Manchester", "Cambridge", "Edinburgh", "Bristol"], ["Old Street", "High Street", "Deansgate", "Hills Road"],
           ["Ltd", "Limited"], ["+44 20 7946 XXXX", "+44 161 496 XXXX", "+44 131 496 XXXX"], "co.uk", "eu", ["81.2", "86.140"]),
    "DE": (["Berlin", "Munich", "Hamburg", "Frankfurt", "Cologne"], ["Friedrichstraße", "Leopoldstraße", "Hafenstraße", "Zeil"],
           ["GmbH", "AG"], ["+49 30 XXXX XXXX", "+49 89 XXXX XXXX"], "de", "eu", ["88.217", "91.64"]),
    "FR": (["Paris", "Lyon", "Toulouse", "Grenoble"], ["Rue de Rivoli", "Avenue Jean Jaurès", "Rue de la République"],
           ["SAS", "SARL"], ["+33 1 XX XX XX XX", "+33 4 XX XX XX XX"], "fr", "eu", ["90.84", "82.64"]),
    "NL": (["Amsterdam", "Rotterdam", "Eindhoven", "Utrecht"], ["Herengracht", "Coolsingel", "Stationsplein"],
           ["B.V."], ["+31 20 XXX XXXX", "+31 40 XXX XXXX"], "nl", "eu", ["84.105", "145.53"]),
    "SE": (["Stockholm", "Gothenburg", "Malmö"], ["Drottninggatan", "Kungsgatan", "Vasagatan"],
           ["AB"], ["+46 8 XXX XXX XX", "+46 31 XXX XX XX"], "se", "eu", ["83.248", "213.112"]),
    "ES": (["Madrid", "Barcelona", "Valencia"], ["Calle de Alcalá", "Carrer de Balmes", "Gran Vía"],
           ["S.L.", "S.A."], ["+34 91 XXX XX XX", "+34 93 XXX XX XX"], "es", "eu", ["83.44", "88.12"]),
    "IT": (["Milan", "Rome", "Turin", "Bologna"], ["Via Torino", "Via del Corso", "Corso Vittorio Emanuele II"],
           ["S.r.l.", "S.p.A."], ["+39 02 XXXX XXXX", "+39 06 XXXX XXXX"], "it", "eu", ["79.12", "93.44"]),
    "CH": (["Zurich", "Geneva", "Lausanne", "Basel"], ["Bahnhofstrasse", "Rue du Rhône", "Avenue de la Gare"],
           ["AG", "SA", "GmbH"], ["+41 44 XXX XX XX", "+41 22 XXX XX XX"], "ch", "eu", ["85.1", "178.197"]),
    "PL": (["Warsaw", "Kraków", "Wrocław"], ["ul. Marszałkowska", "ul. Floriańska", "ul. Świdnicka"],
           ["Sp. z o.o.", "S.A."], ["+48 22 XXX XX XX", "+48 12 XXX XX XX"], "pl", "eu", ["83.24", "89.64"]),
    "IE": (["Dublin", "Cork", "Galway"], ["Baggot Street", "Grand Parade", "Eyre Square"],
           ["Limited", "DAC"], ["+353 1 XXX XXXX", "+353 21 XXX XXXX"], "ie", "eu", ["86.40", "109.76"]),
    "FI": (["Helsinki", "Espoo", "Tampere"], ["Mannerheimintie", "Tekniikantie", "Hämeenkatu"],
           ["Oy"], ["+358 9 XXXX XXXX"], "fi", "eu", ["84.248", "91.152"]),
    "IL": (["Tel Aviv", "Haifa", "Jerusalem"], ["Rothschild Boulevard", "HaNamal Street", "Jaffa Road"],
           ["Ltd."], ["+972 3 XXX XXXX", "+972 4 XXX XXXX"], "co.il", "eu", ["79.176", "109.67"]),
    "JP": (["Tokyo", "Osaka", "Kyoto", "Fukuoka", "Sendai"], ["Shibuya 2-chome", "Umeda 1-chome", "Karasuma-dori", "Tenjin 3-chome"],
           ["K.K.", "Co., Ltd."], ["+81 3 XXXX XXXX", "+81 6 XXXX XXXX"], "co.jp", "apac", ["126.21", "153.156"]),
    "KR": (["Seoul", "Busan", "Daejeon", "Seongnam"], ["Teheran-ro", "Gangnam-daero", "Pangyoyeok-ro"],
           ["Co., Ltd.", "Inc."], ["+82 2 XXXX XXXX", "+82 31 XXX XXXX"], "co.kr", "apac", ["121.134", "211.234"]),
    "IN": (["Bengaluru", "Mumbai", "Hyderabad", "Pune", "Chennai"], ["MG Road", "Outer Ring Road", "Bandra Kurla Complex", "Hitech City Road"],
           ["Pvt. Ltd.", "Private Limited"], ["+91 80 XXXX XXXX", "+91 22 XXXX XXXX"], "in", "in", ["49.36", "117.199"]),
    "SG": (["Singapore"], ["Anson Road", "Cecil Street", "Science Park Drive", "One-North Crescent", "Robinson Road"],
           ["Pte. Ltd."], ["+65 6XXX XXXX", "+65 8XXX XXXX"], "sg", "apac", ["116.14", "203.116"]),
    "AU": (["Sydney", "Melbourne", "Brisbane", "Perth"], ["George Street", "Collins Street", "Queen Street", "Hay Street"],
           ["Pty Ltd"], ["+61 2 XXXX XXXX", "+61 3 XXXX XXXX"], "com.au", "apac", ["101.181", "124.170"]),
    "BR": (["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Florianópolis"], ["Avenida Paulista", "Rua da Assembleia", "Rua Bocaiuva"],
           ["Ltda.", "S.A."], ["+55 11 XXXX XXXX", "+55 21 XXXX XXXX"], "com.br", "sa", ["177.92", "189.6"]),
    "MX": (["Mexico City", "Guadalajara", "Monterrey"], ["Paseo de la Reforma", "Avenida Chapultepec", "Avenida Constitución"],
           ["S.A. de C.V."], ["+52 55 XXXX XXXX", "+52 33 XXXX XXXX"], "com.mx", "na", ["187.188", "201.141"]),
    # Places used by planted and look-alike tenants (not by background tenants).
    "CN": (["Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Chengdu", "Guangzhou"],
           ["Wangjing Street", "Keyuan Road", "Keji South Road", "Wensan Road", "Tianfu Avenue"],
           ["Co., Ltd."], ["+86 10 XXXX XXXX", "+86 21 XXXX XXXX", "+86 138 XXXX XXXX", "+86 139 XXXX XXXX"], "cn", "apac",
           ["36.112", "114.247", "223.104"]),
    "HK": (["Hong Kong"], ["Des Voeux Road Central", "Nathan Road", "Science Park East Avenue"], ["Limited"],
           ["+852 XXXX XXXX"], "com.hk", "apac", ["58.152", "112.118"]),
    "MO": (["Macau"], ["Avenida da Praia Grande", "Rua do Campo"], ["Limited"], ["+853 28XX XXXX"], "mo", "apac", ["202.175"]),
    "MY": (["Kuala Lumpur", "Cyberjaya", "Penang"], ["Jalan Ampang", "Persiaran Multimedia", "Jalan Sultan Ahmad Shah"],
           ["Sdn. Bhd."], ["+60 3 XXXX XXXX"], "com.my", "apac", ["175.139", "60.53"]),
    "AE": (["Dubai", "Abu Dhabi"], ["Sheikh Zayed Road", "Al Maryah Island", "Dubai Internet City"], ["FZE", "FZ-LLC", "L.L.C."],
           ["+971 4 XXX XXXX", "+971 2 XXX XXXX"], "ae", "me", ["94.200", "86.96"]),
    "RU": (["Moscow", "Saint Petersburg"], ["Tverskaya ul.", "Nevsky prospekt"], ["LLC", "JSC"], ["+7 495 XXX XX XX"], "ru", "eu",
           ["95.165", "178.176"]),
    "KZ": (["Almaty", "Astana"], ["Al-Farabi Avenue", "Dostyk Avenue"], ["LLP"], ["+7 727 XXX XX XX"], "kz", "eu", ["95.56"]),
    "VG": (["Road Town, Tortola"], ["Wickhams Cay II", "Main Street"], ["Ltd."], ["+1 284 XXX XXXX"], "vg", "na", ["199.48"]),
    "SC": (["Victoria, Mahé"], ["Providence Industrial Estate", "Francis Rachel Street"], ["Ltd."], ["+248 4 XXX XXX"], "sc", "me", ["197.234"]),
    "WS": (["Apia"], ["Vaea Street", "Beach Road"], ["Ltd."], ["+685 2XXXX"], "ws", "apac", ["202.4"]),
    "KY": (["George Town, Grand Cayman"], ["Elgin Avenue", "South Church Street"], ["Ltd."], ["+1 345 XXX XXXX"], "ky", "na", ["74.117"]),
}

# Background country mix (weights sum need not be 1).
BACKGROUND_COUNTRIES = [
    ("US", 30), ("DE", 7), ("GB", 8), ("FR", 5), ("JP", 6), ("KR", 4), ("IN", 7), ("BR", 4), ("CA", 4),
    ("AU", 3), ("SG", 3), ("NL", 3), ("SE", 2), ("IL", 2), ("ES", 2), ("IT", 2), ("CH", 2), ("PL", 2),
    ("MX", 1), ("IE", 1), ("FI", 1),
]
# Where background tenants sometimes sign in from when travelling: never D:5 places.
TRAVEL = ["US", "GB", "DE", "FR", "NL", "JP", "SG", "CA", "ES", "IE"]

# Documentation ranges (RFC 5737) used first for three countries, then the made-up /16s.
DOC_RANGES = {"US": "192.0.2", "SG": "198.51.100", "CN": "203.0.113"}

FIRST_NAMES = {
    "default": ["Alex", "Sam", "Jordan", "Maria", "David", "Anna", "Daniel", "Laura", "Michael", "Sara", "Thomas", "Emma"],
    "US": ["Emily", "Jacob", "Olivia", "Ethan", "Madison", "Noah", "Hannah", "Ryan", "Grace", "Tyler"],
    "GB": ["Oliver", "Amelia", "George", "Isla", "Harry", "Poppy", "Jack", "Freya"],
    "DE": ["Lukas", "Lena", "Jonas", "Mia", "Felix", "Hannah", "Paul", "Leonie"],
    "FR": ["Hugo", "Chloé", "Louis", "Camille", "Jules", "Manon", "Arthur", "Léa"],
    "JP": ["Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Takumi", "Sakura"],
    "KR": ["Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Ji-woo"],
    "IN": ["Aarav", "Priya", "Vivaan", "Ananya", "Rohan", "Kavya", "Arjun", "Meera"],
    "BR": ["Lucas", "Beatriz", "Gabriel", "Larissa", "Mateus", "Juliana"],
    "CN": ["Wei", "Fang", "Jun", "Li", "Hao", "Xin", "Lei", "Yan", "Qiang", "Jing"],
    "HK": ["Ka Ho", "Wing Yan", "Chi Keung", "Mei Ling", "Tsz Hin", "Hoi Yan"],
    "MO": ["Ka Ho", "Wing Yan", "Chi Keung", "Mei Ling", "Ana", "Rui"],
    "SG": ["Wei Ming", "Hui Min", "Jun Jie", "Siew Ling", "Arjun", "Nur Aisyah"],
}
LAST_NAMES = {
    "default": ["Smith", "Garcia", "Müller", "Rossi", "Novak", "Jensen", "Cohen", "Silva", "Martin", "Berg"],
    "US": ["Johnson", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Harris", "Clark", "Lewis", "Walker"],
    "GB": ["Hughes", "Evans", "Wright", "Patel", "Roberts", "Cooper", "Ward", "Turner"],
    "DE": ["Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Koch"],
    "FR": ["Dubois", "Moreau", "Laurent", "Lefebvre", "Girard", "Fontaine", "Bernard"],
    "JP": ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"],
    "KR": ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Yoon"],
    "IN": ["Sharma", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Rao", "Kulkarni"],
    "BR": ["Santos", "Oliveira", "Souza", "Pereira", "Costa", "Almeida"],
    "CN": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu"],
    "HK": ["Chan", "Wong", "Leung", "Cheung", "Lau", "Ho"],
    "MO": ["Chan", "Wong", "Leong", "Lam", "Sousa", "Ho"],
    "SG": ["Tan", "Lim", "Ng", "Goh", "Chua", "Rahman", "Pillai"],
}

# Company-name words; chosen to avoid the distinctive words of the listed names.
NAME_A = [
    "Aster", "Bright", "Cobalt", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper", "Kelvin", "Lumen",
    "Maple", "Nimbus", "Orchid", "Pioneer", "Quartz", "Riverbend", "Sable", "Tidal", "Umber", "Vantage",
    "Willow", "Xylo", "Yarrow", "Zephyr", "Alder", "Birch", "Cedar", "Driftwood", "Elm", "Falcon", "Glacier",
    "Heron", "Iris", "Jasper", "Kite", "Larch", "Mosaic", "Northwind", "Opal", "Pebble", "Quill", "Redwood",
    "Saffron", "Thistle", "Upland", "Verdant", "Wren", "Arbor", "Beacon", "Canyon", "Dovetail", "Evergreen",
    "Foxglove", "Garnet", "Hollow", "Ivory", "Kestrel", "Lattice", "Meadow", "Nectar", "Oakridge", "Prism",
    "Ripple", "Summit", "Topaz", "Vireo", "Wildflower", "Amber", "Bluebell", "Crescent", "Delphi", "Fennel",
]
NAME_B = [
    "Analytics", "Labs", "Systems", "Robotics", "Media", "Health", "Logistics", "Studios", "Software", "Bio",
    "Data", "Vision", "Dynamics", "Genomics", "Networks", "Games", "Energy", "Foods", "Finance", "Insights",
    "Works", "Learning", "Security", "Mobility", "Retail", "Imaging", "Acoustics", "Materials", "Maps",
    "Translate", "Commerce", "Cloudworks", "Pharma", "Agritech", "Render", "Metrics", "Signals", "Devices",
]
DECLARED_USES = {
    "cpu": ["web hosting", "CI builds", "data warehousing", "e-commerce backend", "internal tools", "batch ETL"],
    "gpu-small": ["video transcoding", "image classification inference", "speech recognition inference",
                  "recommendation model serving", "3D rendering"],
    "gpu-large": ["LLM fine-tuning", "foundation model training", "protein structure prediction",
                  "autonomous driving perception training", "generative video research", "weather model training"],
}

# Accelerator classes -> instance choices per cloud: (instance_type, accelerator, accelerator_count, gpus).
# `accelerator` is only set for GCP N1 types, whose GPUs are attached separately.
WORKLOADS: dict[str, dict[str, list[tuple]]] = {
    "h100x8": {"aws": [("p5.48xlarge", "", 0, 8)], "gcp": [("a3-highgpu-8g", "", 0, 8), ("a3-megagpu-8g", "", 0, 8)],
               "azure": [("Standard_ND96isr_H100_v5", "", 0, 8)]},
    "h200x8": {"aws": [("p5e.48xlarge", "", 0, 8)], "gcp": [("a3-ultragpu-8g", "", 0, 8)],
               "azure": [("Standard_ND96isr_H200_v5", "", 0, 8)]},
    "b200x8": {"aws": [("p6-b200.48xlarge", "", 0, 8)], "gcp": [("a4-highgpu-8g", "", 0, 8)],
               "azure": [("Standard_ND96isr_H200_v5", "", 0, 8)]},
    "a100x8": {"aws": [("p4d.24xlarge", "", 0, 8), ("p4de.24xlarge", "", 0, 8)],
               "gcp": [("a2-highgpu-8g", "", 0, 8), ("a2-ultragpu-8g", "", 0, 8)],
               "azure": [("Standard_ND96asr_v4", "", 0, 8)]},
    "small-restricted": {"aws": [("g6e.xlarge", "", 0, 1), ("g6e.12xlarge", "", 0, 4)],
                         "gcp": [("a2-highgpu-1g", "", 0, 1), ("g2-standard-48", "", 0, 4)],
                         "azure": [("Standard_NC24ads_A100_v4", "", 0, 1), ("Standard_NC40ads_H100_v5", "", 0, 1)]},
    # Azure has no L4 size; its L4-class workloads run on T4 there.
    "l4": {"aws": [("g6.xlarge", "", 0, 1)], "gcp": [("g2-standard-4", "", 0, 1)],
           "azure": [("Standard_NC4as_T4_v3", "", 0, 1)]},
    "t4": {"aws": [("g4dn.xlarge", "", 0, 1), ("g4dn.12xlarge", "", 0, 4)],
           "gcp": [("n1-standard-8", "nvidia-tesla-t4", 1, 1), ("n1-standard-32", "nvidia-tesla-t4", 4, 4)],
           "azure": [("Standard_NC4as_T4_v3", "", 0, 1), ("Standard_NC64as_T4_v3", "", 0, 4)]},
    "a10g-v100": {"aws": [("g5.xlarge", "", 0, 1), ("g5.12xlarge", "", 0, 4), ("p3.2xlarge", "", 0, 1)],
                  "gcp": [("n1-standard-8", "nvidia-tesla-v100", 1, 1)],
                  "azure": [("Standard_NC6s_v3", "", 0, 1)]},
    "cpu": {"aws": [("m5.large", "", 0, 0), ("m5.2xlarge", "", 0, 0), ("c5.4xlarge", "", 0, 0), ("r6i.xlarge", "", 0, 0)],
            "gcp": [("n2-standard-8", "", 0, 0), ("e2-standard-4", "", 0, 0), ("c2-standard-16", "", 0, 0)],
            "azure": [("Standard_D4s_v5", "", 0, 0), ("Standard_E8s_v5", "", 0, 0), ("Standard_F16s_v2", "", 0, 0)]},
}

REGIONS = {
    "aws": {"na": ["us-east-1", "us-east-2", "us-west-2", "ca-central-1"], "eu": ["eu-west-1", "eu-central-1", "eu-north-1", "eu-west-2"],
            "apac": ["ap-northeast-1", "ap-southeast-1", "ap-northeast-2", "ap-southeast-2"], "in": ["ap-south-1"],
            "sa": ["sa-east-1"], "me": ["me-central-1"]},
    "gcp": {"na": ["us-central1-a", "us-east4-c", "us-west1-b", "us-east1-d"], "eu": ["europe-west4-a", "europe-west1-b", "europe-west3-c"],
            "apac": ["asia-northeast1-b", "asia-southeast1-b", "asia-northeast3-a", "australia-southeast1-c"],
            "in": ["asia-south1-a"], "sa": ["southamerica-east1-b"], "me": ["me-central1-a"]},
    "azure": {"na": ["eastus", "eastus2", "westus3", "southcentralus", "canadacentral"],
              "eu": ["westeurope", "northeurope", "swedencentral", "uksouth", "germanywestcentral"],
              "apac": ["japaneast", "southeastasia", "koreacentral", "australiaeast"], "in": ["centralindia"],
              "sa": ["brazilsouth"], "me": ["uaenorth"]},
}
# GPU-looking types no catalog knows, for the "unknown instance type" report.
UNKNOWN_TYPES = ["p7.48xlarge", "p7.48xlarge", "p7e.48xlarge"]
