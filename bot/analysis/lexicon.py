"""The one word list of the analysis: who speaks for each side, the other side's firms, third countries.

Relevance builds its phrase tries from it, the deadline steps their side and scope patterns, so a name added
here is read the same way everywhere.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

US_NAMES = ("U.S.", "U.S.A.", "US", "USA", "United States", "America", "American", "Washington")
CHINA_NAMES = ("China", "Chinese", "Beijing", "PRC")

# People and bodies that act for the US government.
US_OFFICIALS = (
    "White House", "Pentagon", "State Department", "Department of State", "Commerce Department",
    "Department of Commerce", "Commerce", "Treasury", "USTR", "Trade Representative",
    "Bureau of Industry and Security", "BIS", "CFIUS", "FCC", "FBI", "CIA", "Justice Department",
    "Capitol Hill", "Congress", "Congressional", "Senate", "House of Representatives",
    "House Select Committee", "House Speaker", "Oval Office", "Trump", "Biden", "Obama",
    "Vance", "Rubio", "Blinken", "Bessent", "Lutnick", "Greer", "Hegseth", "Yellen", "Raimondo",
    "Katherine Tai", "Pompeo", "Lighthizer", "Mnuchin", "Navarro", "Kudlow", "Jake Sullivan",
    "Lloyd Austin", "Nicholas Burns", "David Perdue", "Pelosi", "Kamala Harris", "Mike Waltz",
    "Wilbur Ross", "Department of Justice", "Justice Department", "Supreme Court",
    "Federal Communications Commission",
    "Office of Foreign Assets Control", "OFAC", "Federal Register", "Homeland Security",
    "Customs and Border Protection", "Securities and Exchange Commission", "SEC",
    "Department of Defense", "Defense Department", "Department of War", "General Services Administration",
    "Federal Acquisition Regulation", "National Defense Authorization Act", "NDAA", "Department of Energy",
    "Energy Department", "Federal Trade Commission", "NSA", "National Security Agency", "C.I.A.", "F.B.I.",
    "Department of Agriculture", "Agriculture Department", "USDA",
    # the trade courts and agencies that rule on duties, the audit regulator, and the agencies by their
    # initials as trade and legal press write them
    "International Trade Commission", "USITC", "International Trade Administration", "Court of International Trade",
    "PCAOB", "Public Company Accounting Oversight Board", "CBP", "DHS", "DOJ", "Department of Transportation",
    "Transportation Department", "Department of Homeland Security", "Federal Maritime Commission",
    # the House named by what only the US House has (bare "House" is any house)
    "House lawmakers", "House Republicans", "House Democrats", "House Armed Services Committee",
    "House Foreign Affairs Committee", "House Intelligence Committee", "House Ways and Means Committee",
)
# People and bodies that act for the Chinese government.
CHINA_OFFICIALS = (
    "Zhongnanhai", "CCP", "Communist Party", "Politburo", "PLA", "People s Liberation Army", "MOFCOM",
    "Ministry of Commerce", "Xi", "Xi Jinping", "Wang Yi", "He Lifeng", "Li Qiang", "Li Chenggang",
    "Wang Wentao", "Dong Jun", "Qin Gang", "Mao Ning", "Lin Jian", "Guo Jiakun", "Xie Feng", "Liu He",
    "Yang Jiechi", "Wang Huning", "Han Zheng", "Ding Xuexiang", "State Administration for Market Regulation",
    "SAMR", "Cyberspace Administration", "CAC", "State Council", "General Administration of Customs",
    "Customs Tariff Commission", "Ministry of Foreign Affairs", "Ministry of State Security", "MSS", "NDRC",
    "Zhao Lijian", "Wang Wenbin", "Hua Chunying", "Geng Shuang", "Zhu Fenglian", "Chen Binhua",
)
# The people among them, by the name news uses on second mention: an event is named after who takes part.
US_PEOPLE = ("Trump", "Biden", "Obama", "Vance", "Rubio", "Blinken", "Bessent", "Lutnick", "Greer", "Hegseth",
             "Yellen", "Raimondo", "Tai", "Pompeo", "Lighthizer", "Mnuchin", "Navarro", "Kudlow", "Sullivan",
             "Austin", "Burns", "Perdue", "Pelosi", "Harris", "Waltz", "Ross", "Kerry", "Leavitt")
CHINA_PEOPLE = ("Xi", "Wang Yi", "He Lifeng", "Li Qiang", "Li Chenggang", "Wang Wentao", "Dong Jun", "Qin Gang",
                "Liu He", "Yang Jiechi", "Han Zheng", "Ding Xuexiang", "Xie Feng", "Wei Fenghe", "Li Shangfu")
# Chinese firms at the centre of US measures: in a sentence about a measure they stand for the Chinese side.
CHINESE_COMPANIES = ("Huawei", "SMIC", "ByteDance", "TikTok", "ZTE", "DeepSeek", "Alibaba", "Tencent", "BYD",
                     "CATL", "DJI", "Hikvision", "Xiaomi", "Temu", "Shein", "YMTC", "CXMT", "Inspur", "Meng Wanzhou",
                     "WeChat", "Zhongxing", "Dahua", "Sugon", "Unitree", "Xpeng", "Nio", "Lenovo", "China Mobile",
                     "China Telecom", "China Unicom", "COSCO", "Sinochem", "Wingtech", "Nexperia")
# US firms at the centre of Chinese measures (probes, bans, the unreliable entity list).
US_COMPANIES = ("Nvidia", "NVIDIA", "Qualcomm", "Micron", "Intel", "Google", "Apple", "Tesla", "Boeing",
                "Lockheed Martin", "Raytheon", "General Dynamics", "PVH", "Illumina", "Skydio", "Texas Instruments",
                "AMD", "Broadcom", "Cadence", "Synopsys", "Applied Materials", "Lam Research", "KLA", "Caterpillar",
                "Starbucks", "FedEx",
                # news organisations whose reporters a Chinese measure expels
                "Wall Street Journal", "New York Times", "Voice of America")
THIRD_COUNTRIES = (
    "Japan", "Japanese", "Tokyo", "EU", "European Union", "European Commission", "Brussels", "von der Leyen",
    "India", "Indian", "Delhi", "Modi", "Pakistan", "Islamabad", "South Korea", "South Korean", "Seoul",
    "North Korea", "Pyongyang", "Russia", "Russian", "Moscow", "Putin", "Kremlin", "Ukraine", "Kyiv",
    "Zelensky", "Germany", "German", "Berlin", "France", "French", "Macron", "Britain", "British", "UK",
    "Starmer", "Canada", "Canadian", "Ottawa", "Carney", "Mexico", "Mexican", "Australia", "Australian",
    "Canberra", "Vietnam", "Vietnamese", "Philippines", "Philippine", "Manila", "Iran", "Israel", "Brazil",
    "Brazilian", "Indonesia", "Indonesian", "Sweden", "Swedish", "Africa", "African", "Europe", "European",
    "Korea", "Korean", "Netherlands", "Dutch", "Thailand", "Thai", "Poland", "Polish", "Turkey", "Turkish",
    "Saudi Arabia", "Saudi", "Qatar", "Oman", "United Arab Emirates", "UAE", "Egypt", "Cambodia", "Myanmar",
    "Bangladesh", "Sri Lanka", "Nepal", "Mongolia", "Kazakhstan", "New Zealand", "Chile", "Colombia",
    "Venezuela", "Cuba", "Nigeria", "Kenya", "South Africa", "Ethiopia", "Serbia", "Hungary",
    # (not the countries that host US–China talks, whose names tell where the two sides meet: Switzerland,
    # Spain, Malaysia, Singapore, Peru, Argentina, Italy)
    # their leaders, named without their country
    "Kishida", "Ishiba", "Takaichi", "Trudeau", "Freeland", "Albanese", "Scholz", "Merz", "Merkel", "Sunak",
    "Yoon Suk Yeol", "Lee Jae-myung", "Marcos", "Lula", "Sheinbaum", "Lavrov", "Jaishankar", "Prabowo",
)

# Third parties named by a phrase, not a name ("paused higher duties on dozens of other trading partners for 90
# days"): a date in a clause about them, without China, is theirs.
OTHER_PARTNERS = ("other trading partners", "other trade partners", "other countries", "other nations",
                  "other economies")
# A measure on everyone ("sweeping tariffs worldwide", "letters to U.S. trading partners") is not aimed at the
# other side, though it reaches it.
WIDER_SCOPE = ("trading partners", "trade partners", "worldwide", "global tariffs", "world economies",
               "all countries", "every country", *OTHER_PARTNERS)


def word_pattern(words: Iterable[str], *, flags: int = 0) -> re.Pattern[str]:
    """One regex matching any of `words` as whole words (longest first; "People s" also reads "People's")."""
    alternatives = sorted({re.escape(w).replace(r"\ s\ ", r"['’]?s\ ") for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(alternatives) + r")(?!\w)", flags)


# In UTF-8 an ASCII letter is one byte and every byte of any other character is 0x80 or more: with every other
# byte made a space, the words left are exactly the maximal runs of ASCII letters ([A-Za-z]+), which
# `bytes.translate` and `bytes.split` find about 3x faster than a regex. ("surrogatepass": a lone surrogate
# from a JSON escape is no letter either.)
_ONLY_LETTERS = bytes(byte if chr(byte) in string.ascii_letters else ord(" ") for byte in range(256))


def letter_runs(text: str) -> list[bytes]:
    """The maximal runs of ASCII letters in `text`, UTF-8 encoded, in order."""
    return only_letters(text).split()


def only_letters(text: str) -> bytes:
    """`text` in UTF-8 with every byte but an ASCII letter's made a space: its words are `letter_runs(text)`."""
    return text.encode("utf-8", "surrogatepass").translate(_ONLY_LETTERS)


def first_letter_runs(words: Iterable[str]) -> frozenset[bytes]:
    """The run of ASCII letters each of `words` starts with ("South" of "South Korea", "U" of "U.S."): a match of
    a case-sensitive `word_pattern(words)` starts with one of them as a whole run of `letter_runs`, since the
    pattern allows no letter before a match, nor after a word's letters."""
    runs = set()
    for word in words:
        run = re.match("[A-Za-z]+", word)
        assert run is not None and " s " not in word  # ("People s" also reads "Peoples")
        runs.add(run.group().encode())
    return frozenset(runs)
