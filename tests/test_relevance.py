"""US–China relevance: positives across topics, each class of hard negative, word boundaries, watch/mute."""

from __future__ import annotations

import pytest

from bot.analysis.relevance import DEFAULT_THRESHOLD, assess_relevance

POSITIVES = [
    # diplomacy
    ("Blinken presses Wang Yi on Russia support in Beijing talks",
     "The top US diplomat told his Chinese counterpart that Washington would respond to any further help."),
    ("Rubio and Wang Yi hold first call, agree to keep channels open",
     "The Secretary of State said the conversation was candid."),
    # trade and tariffs
    ("Washington and Beijing agree to roll back some levies after London negotiations",
     "Negotiators said the framework still needs sign-off from both presidents."),
    ("Bessent says tariff truce with China could be extended again",
     "The Treasury chief spoke after two days of meetings with Vice Premier He Lifeng in Stockholm."),
    ("USTR opens Section 301 probe into Chinese legacy chips",
     "The Office of the US Trade Representative said the investigation would examine Beijing's subsidies."),
    ("Soybean farmers cheer as Beijing resumes American purchases",
     "Chinese state buyers booked cargoes from the US Gulf for the first time since the trade war began."),
    # export controls and sanctions
    ("Commerce adds 27 Chinese entities to Entity List over AI chips",
     "The Bureau of Industry and Security said the firms helped China's military obtain chips."),
    ("China sanctions US defence contractors over Taiwan arms sale",
     "The foreign ministry in Beijing said the measures answer a weapons package approved by Washington."),
    ("China retaliates with export controls on gallium after US chip curbs",
     "MOFCOM said shipments of the metals would need a licence from next month."),
    # investment screening
    ("CFIUS orders Chinese owner to sell stake in US chip start-up",
     "The Treasury-led panel cited national security risks."),
    # security
    ("Pentagon chief meets Chinese defence minister Dong Jun in Singapore",
     "Hegseth and Dong discussed military-to-military channels and the South China Sea."),
    ("PLA warships shadow US destroyer in Taiwan Strait transit",
     "The Chinese military said it tracked the American vessel throughout its passage."),
    # technology
    ("TikTok deal: White House says Beijing has signed off on US joint venture",
     "Officials said ByteDance would keep a minority stake under the arrangement."),
    ("Nvidia can resume H20 sales to China after Lutnick grants licences",
     "The Commerce Secretary said the decision was part of the rare earths understanding with Beijing."),
    # fentanyl
    ("Trump cuts fentanyl tariff on China to 10% after Xi pledges crackdown",
     "The president said Beijing had agreed to curb exports of precursor chemicals."),
    # visas and students
    ("State Department to revoke visas of Chinese students with Communist Party ties",
     "Rubio said the US would aggressively review applications from China and Hong Kong."),
    # implicit other side: "the trade war" next to China, no third country
    ("Beijing signals it can wait out the trade war",
     "Chinese officials say the economy can absorb higher tariffs for longer than expected."),
    # a trip put off, a court blocking a US measure on a Chinese app, read without a headline
    ("", "U.S. President Donald Trump told reporters on Monday that he has asked to delay his March 31-April 2 "
         "trip to China by about a month because of the Iran war."),
    ("", "A U.S. judge early Sunday blocked the Commerce Department from requiring Apple Inc and Alphabet Inc's "
         "Google to remove Chinese-owned messaging app WeChat for downloads by late Sunday."),
    # bilateral phrase with no policy word in the headline
    ("What to watch as US-China talks resume in Geneva",
     "Both sides have lowered expectations ahead of the weekend meeting."),
]

NEGATIVES = [
    # US–Japan / US–EU trade
    ("Tokyo and Washington finalise auto tariff deal",
     "Japan will invest $550 billion in the United States under the agreement, officials said."),
    ("US-EU trade pact sets 15% ceiling on most European goods",
     "Brussels said the deal avoids a damaging transatlantic trade war."),
    # China–EU, China–India
    ("EU hits Chinese electric vehicles with extra duties",
     "The European Commission said Beijing's subsidies distort competition in Europe."),
    ("India and China agree to resume border patrols in Ladakh",
     "New Delhi and Beijing said the deal eases a four-year standoff."),
    # Chinese domestic news
    ("China's retail sales slow in July as property slump drags on",
     "Consumer spending rose 3.7% from a year earlier, the statistics bureau said."),
    ("Xi Jinping tells party cadres to fight corruption in rural areas",
     "The Chinese president spoke at a Politburo study session in Beijing."),
    # a Chinese firm's product launch (and a US firm's)
    ("Xiaomi unveils its first SUV, priced below rival models",
     "The Chinese smartphone maker said orders opened on Thursday in Beijing."),
    ("Apple launches iPhone with bigger battery in China",
     "American tech giants are cutting prices to compete with local brands."),
    # sports, disasters
    ("China beats USA to reach basketball World Cup semifinal",
     "The Chinese team rallied in the fourth quarter in Manila."),
    ("Taiwan earthquake: magnitude 6.4 quake shakes Hualien",
     "Buildings swayed in Taipei but no casualties were reported."),
    # US as a mere comparison, US dollar, Washington the state
    ("China's new hypersonic glider tested, state media says",
     "Engineers claim the design puts China ahead of the US in the race for faster aircraft."),
    ("Yuan weakens past 7.3 per US dollar as China's exports slow",
     "Traders said the People's Bank of China set a softer midpoint."),
    ("Washington state apple growers look to new Chinese buyers",
     "Orchards near Wenatchee say demand from shoppers in Shanghai is picking up."),
    # US domestic politics
    ("Senate passes stopgap bill to avert government shutdown",
     "Lawmakers voted 65-35 after days of negotiations."),
]


@pytest.mark.parametrize(("title", "text"), POSITIVES, ids=[t or x[:40] for t, x in POSITIVES])
def test_relevant_items_are_kept(title: str, text: str) -> None:
    result = assess_relevance(title, text)
    assert result.relevant, result
    assert DEFAULT_THRESHOLD <= result.score <= 1.0
    assert any(r.startswith(("US actor", "bilateral", "topic: trade war")) for r in result.reasons)


@pytest.mark.parametrize(("title", "text"), NEGATIVES, ids=[t for t, _ in NEGATIVES])
def test_hard_negatives_stay_out(title: str, text: str) -> None:
    result = assess_relevance(title, text)
    assert not result.relevant, result
    assert 0.0 <= result.score < DEFAULT_THRESHOLD


def test_reasons_name_actors_and_topics() -> None:
    result = assess_relevance(
        "Rubio meets Wang Yi in Kuala Lumpur, says Trump-Xi summit odds are high",
        "The two diplomats met on the sidelines of an ASEAN gathering.",
    )
    assert "US actor: Rubio" in result.reasons
    assert "China actor: Wang Yi" in result.reasons
    assert "topic: summit" in result.reasons


@pytest.mark.parametrize(
    "title",
    [
        "Use of taxi apps grows in Shanghai",  # "use" is not "US", "taxi" is not "Xi"
        "Users in China flock to new music app",
        "Xiamen port handles record cargo",  # Xi inside a word
    ],
)
def test_word_boundaries(title: str) -> None:
    result = assess_relevance(title, "Local operators reported strong demand this summer.")
    assert not any(r.startswith("US actor") for r in result.reasons), result.reasons
    assert not result.relevant


def test_body_mentions_alone_do_not_make_a_story_relevant() -> None:
    text = (
        "China's factory activity shrank for a third month in June. "
        "Analysts pointed to weak domestic demand and falling prices. "
        "Property investment dropped 10% from a year earlier. "
        "Some exporters also cited uncertainty over US tariffs."
    )
    assert not assess_relevance("China's factories stay in the doldrums", text).relevant


def test_watch_terms_raise_the_score() -> None:
    title = "Beijing courts foreign chipmakers at expo"
    text = "Several US suppliers attended the Shanghai event."
    plain = assess_relevance(title, text)
    watched = assess_relevance(title, text, watch_terms=["chipmakers"])
    assert watched.score > plain.score
    assert "watch: chipmakers" in watched.reasons


def test_mute_terms_force_not_relevant_with_a_reason() -> None:
    result = assess_relevance(
        "US and China extend tariff truce", "TikTok was also discussed.", mute_terms=["tiktok"]
    )
    assert not result.relevant
    assert result.score == 0.0
    assert result.reasons == ("muted: tiktok",)


def test_threshold_is_respected() -> None:
    title, text = "Trump hits China with new chip tariffs", "The White House said duties start next month."
    assert assess_relevance(title, text).relevant
    assert not assess_relevance(title, text, threshold=1.01).relevant


def test_items_with_no_china_side_mention_are_judged_without_reading_every_sentence() -> None:
    result = assess_relevance("US and Japan sign a trade deal",
                              "Washington and Tokyo agreed to cut tariffs on cars, the White House said.")
    assert (result.relevant, result.score, result.reasons) == (False, 0.0, ("no China-side actor",))
    watched = assess_relevance("Gallium prices jump", "Traders cite tight supply.", watch_terms=("gallium", "supply"))
    assert watched.relevant and watched.reasons[-2:] == ("watch: gallium", "watch: supply")
    assert assess_relevance("Sino-US talks resume in Geneva", "Negotiators met on Monday.").relevant


@pytest.mark.parametrize(("text", "named"), [
    # a run of letters is one token, digits another: "China2" holds "China", "McXi" holds no "Xi"
    ("xChina and Chinax are not China", True), ("xChina and Chinax", False), ("China2 talks", True),
    ("2Xi", True), ("McXi met", False), ("Xi's visit", True), ("U.S.-China", True), ("中国", True),
    ("the Xiaomi phone", True), ("Sino-US", True), ("BeijingBeijing", False), ("no names at all", False),
    ("", False), ("XiXi", False), ("AXiaomi Xi", True), ("McXi and Beijing", True), ("ChineseXi", False),
    ("a中", True), ("ZTE1", True), ("ZTEs", False), ("BYDs", False), ("BYD's", True),
])
def test_the_china_side_prefilter_finds_only_whole_tokens(text: str, named: bool) -> None:
    from bot.analysis.relevance import names_china_side

    assert names_china_side(text) is named


@pytest.mark.parametrize("text", [
    "Micron failed a security review by the Cyberspace Administration of China, the regulator announced on May 21.",
    "China said on Wednesday it would expel three Wall Street Journal reporters over a headline it objected to.",
    "Beijing added fashion group PVH and Illumina to its list of untrustworthy entities on Tuesday.",
    "The FCC revoked China Unicom Americas' authorization and ordered it to stop its US services within 60 days.",
    # the customs service is the government too
    "Chinese customs authorities have told agents that Nvidia's H200 chips are not permitted to enter China.",
])
def test_a_chinese_measure_on_a_us_firm_is_relevant_without_a_headline(text: str) -> None:
    assert assess_relevance("", text).relevant


@pytest.mark.parametrize("text", [
    "Mexico's Senate approved tariffs of up to 50% on imports from China and other Asian nations on Wednesday.",
    "Trump said the U.S. and Vietnam agreed a trade deal after his call with the head of Vietnam's Communist Party.",
    "China's economy grew 5.2%, helped by strong exports to markets outside the United States.",
])
def test_another_countrys_institutions_are_not_the_us_or_chinese_government(text: str) -> None:
    assert not assess_relevance("", text).relevant


@pytest.mark.parametrize("text", [
    "The USTR said the Section 301 tariffs on $18 billion of imports would rise to 50% on January 1, with "
    "comments due by next month.",
    "Eleven more companies were added to the Entity List on Monday, the Bureau of Industry and Security said.",
    "Treasury's final rule bars U.S. persons from some investments in AI firms in countries of concern from "
    "next year.",
    "Commerce said cars with connected software from foreign adversaries may not be sold from model year 2027.",
    "Customs detained solar panels under the Uyghur Forced Labor Prevention Act at three ports this month.",
    "The USTR has extended the deadline for written comments on Proposed List 3 to September 5, 2018.",
    "Products on List 4A now pay a 15% tariff, which the USTR will cut to 7.5% next month.",
    "USTR requested comments on whether to extend particular exclusions from List 1 that expire on May 14, 2020.",
    "Vehicles will not be eligible for the credit if the battery contains components made by a foreign entity "
    "of concern (FEOC), the Department of Energy said, opening a 30-day comment period.",
    # a trade agreement's name is no third country the measure is aimed at
    "The UFLPA's import ban takes effect on June 21, 2022; the Task Force established under the United "
    "States-Mexico-Canada Agreement will publish its enforcement strategy first.",
    # an arms sale to Taiwan names its own target: a third country elsewhere does not aim it elsewhere
    "On Friday, the Pentagon approved a potential arms sale package to Taiwan worth $2 billion. It includes an "
    "air defence system that has seen combat use in Ukraine.",
])
def test_a_us_measure_aimed_at_china_by_its_terms_names_the_china_side(text: str) -> None:
    assert assess_relevance("", text).relevant


@pytest.mark.parametrize("text", [
    "The USTR said the Section 301 tariffs on French cheese and wine would rise on January 1 unless Paris "
    "drops its digital tax.",
    "Eleven Russian companies were added to the Entity List on Monday for supplying drone parts to Moscow.",
    "The Entity List grew again this week as Commerce named firms in Iran that buy US aircraft parts.",
])
def test_a_third_country_shows_the_measure_is_aimed_elsewhere(text: str) -> None:
    assert not assess_relevance("", text).relevant


def test_the_section_301_lists_count_only_as_written() -> None:
    assert assess_relevance("", "The List 3 tariffs rise to 25% on Jan. 1, the USTR said.").relevant
    assert not assess_relevance("", "The agency said it will publish a list 3 times a year, the USTR said.").relevant


def test_a_lede_where_both_sides_officials_meet_outweighs_a_third_country_in_the_first_sentence() -> None:
    text = ("President Joe Biden wants to show Asia-Pacific leaders that he remains focused on the region even as "
            "his administration grapples with the war in Ukraine. Biden's meeting with Chinese President Xi "
            "Jinping on Wednesday is the main event of his visit to San Francisco.")
    assert assess_relevance("", text).relevant
    about_japan = ("Biden and Japan's prime minister agreed on new defence ties in Tokyo on Monday. The two "
                   "leaders said they would also discuss chips.")
    assert not assess_relevance("", about_japan).relevant


def test_a_lede_where_one_side_presses_the_other_on_a_measure_outweighs_a_third_country_first() -> None:
    text = ("The meeting followed reports that Russia has started a weapons programme in China to build attack "
            "drones. China criticised U.S. arms sales to Taiwan and urged the United States to lift trade tariffs.")
    assert assess_relevance("", text).relevant
    # a lede naming both sides with no measure between them leaves it a third country's story
    about_russia = ("Russia and India signed a defence pact in Moscow on Monday. A U.S. analyst said China would "
                    "watch the deal closely.")
    assert not assess_relevance("", about_russia).relevant


def test_another_countrys_senate_makes_a_later_bare_senate_that_country() -> None:
    text = ("Mexico's Senate on Wednesday approved tariffs of up to 50% on imports from China and other Asian "
            "suppliers, effective in January. The Senate's vote follows approval by the lower house.")
    assert not assess_relevance("", text).relevant
    # the US Senate voting on the same tariffs is the US acting
    assert assess_relevance("", text.replace("Mexico's Senate", "The US Senate")).relevant


def test_a_commerce_ministry_is_not_the_us_commerce_department() -> None:
    assert not assess_relevance("", "Beijing reached a deal with Brussels on car exports, the Commerce Ministry "
                                    "said, and the bloc will set minimum prices for Chinese EV makers.").relevant
    assert assess_relevance("", "Beijing protested after the Commerce Department added 12 Chinese chip "
                                "designers to a trade blacklist.").relevant


@pytest.mark.parametrize(("text", "relevant"), [
    ("Chinese authorities told local firms to stop buying Micron memory chips for state networks.", True),
    # the same order about a South Korean chipmaker is China's business with a third country
    ("Chinese authorities told local firms to stop buying Samsung memory chips for state networks.", False),
])
def test_a_chinese_authority_acting_on_a_us_firm_is_relations_without_a_measure_word(
        text: str, relevant: bool) -> None:
    assert assess_relevance("", text).relevant is relevant


@pytest.mark.parametrize(("text", "relevant"), [
    ("The SEC said three Chinese state telecom carriers would be delisted from New York exchanges next month.",
     True),
    # another country's securities regulator
    ("The Philippine SEC revoked the licences of online gaming firms run by Chinese nationals on Monday.", False),
])
def test_the_sec_acts_for_the_us(text: str, relevant: bool) -> None:
    assert assess_relevance("", text).relevant is relevant


@pytest.mark.parametrize("text", [
    "Trudeau announced a 25% surtax on steel and aluminium from China, effective Oct. 15. The measure follows "
    "EV tariffs announced by President Biden in May.",
    "Albanese said a surtax on Chinese steel would start on Oct. 15. The measure follows EV tariffs announced "
    "by President Biden in May.",
])
def test_a_third_countrys_leader_named_alone_is_that_country(text: str) -> None:
    assert not assess_relevance("", text).relevant


def test_meetings_is_a_topic_like_meeting() -> None:
    text = ("The framework still needs the presidents' approval, Lutnick said. Greer added that America and China "
            "have no further meetings scheduled but will keep talking.")
    assert assess_relevance("", text).relevant
    # a third country's minister and Japan in their places
    third = text.replace("Lutnick", "Akazawa").replace("Greer", "He").replace("America", "Japan")
    assert not assess_relevance("", third).relevant


@pytest.mark.parametrize("text", [
    "BEIJING, Nov. 3 (Xinhua) -- Xie Zhenhua, China's special envoy for climate change, will hold a talk with U.S. "
    "Special Presidential Envoy for Climate John Kerry in California from Nov. 4 to 7.",
    "China's Ministry of Foreign Affairs has condemned a decision made by the United States to suspend 44 "
    "China-bound flights from the US by four Chinese carriers.",
    "Pompeo said he is hopeful that every one of China's Confucius Institutes in the United States will be shut "
    "down by the end of the year.",
    "China will begin charging special port service fees on ships owned or operated by United States entities, "
    "calling the move a response to Washington's actions.",
])
def test_ties_the_two_governments_set_between_people_are_relations(text: str) -> None:
    assert assess_relevance("", text).relevant
    # the same words about a third country's ties with China are not
    assert not assess_relevance("", text.replace("U.S. ", "EU ").replace("United States", "European Union")
                                .replace("Washington", "Brussels").replace("the US", "the EU")
                                .replace("Pompeo", "Borrell")).relevant


@pytest.mark.parametrize("text", [
    "The General Services Administration will bar federal contractors from using Huawei and ZTE equipment "
    "from Aug. 13.",
    "The Defense Department added DJI to its list of Chinese military companies, which bars it from contracts.",
    "On December 23, 2022, President Biden signed the defence bill. Its Section 5949 would prohibit executive "
    "agencies from buying semiconductor products from certain Chinese companies.",
])
def test_a_us_body_acting_on_chinese_firms_is_relevant_without_naming_the_us(text: str) -> None:
    result = assess_relevance("", text)
    assert result.relevant, result


@pytest.mark.parametrize(("text", "relevant"), [
    # The Communist Party's congress, numbered from 1921, is China's own affair...
    ("China's ruling Communist Party proposes to hold its 20th Congress in Beijing on October 16, Xinhua said.",
     False),
    ("The 20th National Congress of the Communist Party of China will open on October 16.", False),
    # ...the US Congress, in its 110s, acting on a Chinese company is not.
    ("The 119th Congress passed a bill banning TikTok unless its Chinese owner sells it.", True),
])
def test_a_numbered_party_congress_is_not_the_us_congress(text: str, relevant: bool) -> None:
    assert assess_relevance("", text, threshold=DEFAULT_THRESHOLD).relevant is relevant


def test_the_national_peoples_congress_is_not_the_us_congress() -> None:
    text = ("China's new Foreign Investment Law was passed by the National people\u2019s Congress on Friday, "
            "after the Standing Committee of the National People's Congress debated it in January.")
    assert not any(reason.startswith("US actor") for reason in assess_relevance("", text).reasons)


@pytest.mark.parametrize("text", [
    "China's central bank cut interest rates on Monday to support the economy amid trade tensions with the "
    "United States.",
    "China's Communist Party leaders will meet next week to set the next five-year plan, amid a bruising trade war "
    "with the US and a slowing economy.",
    "Foxconn plans to invest $700 million in a new plant in India, underscoring a shift of manufacturing away from "
    "China as Washington-Beijing tensions grow.",
])
def test_the_two_sides_named_only_as_background_do_not_make_an_item_theirs(text: str) -> None:
    assert not assess_relevance("", text).relevant


def test_a_measure_set_against_tensions_with_the_other_side_stays_relevant() -> None:
    text = ("Beijing barred seven firms from import and export activities. The decision comes amid tensions over "
            "U.S. arms sales to Taiwan.")
    assert assess_relevance("", text).relevant


def test_an_executive_order_on_goods_from_china_is_a_us_measure() -> None:
    text = ("The executive order also lowered fees for low-value shipments from China sent through the international "
            "postal system. Postal shipments under $800 are now subject to a 54% tariff instead of 120%.")
    assert assess_relevance("", text).relevant


@pytest.mark.parametrize("text", [
    "A bipartisan group of House lawmakers will travel to China later this month, the first such visit since 2019.",
    "The MSS said the National Security Agency broke into computers of a time service center, stealing data from "
    "its staff.",
    "China's foreign ministry on Monday ordered six US media outlets to report on their staff and finances within "
    "seven days.",
    "The US is preparing to curtail Chinese companies' access to cloud-computing services, the Journal reported.",
    # the trade agencies and courts, and the FCC's list of threats, by their names
    "The ITA will now issue antidumping and countervailing duty orders on imports of aluminum sheet from China, "
    "after the USITC's final affirmative injury determination.",
    "The Secure Equipment Act requires the FCC to stop approving equipment from companies on the Covered List.",
])
def test_bodies_and_acts_named_without_a_country_tie_the_sides(text: str) -> None:
    assert assess_relevance("", text).relevant


@pytest.mark.parametrize("text", [
    # the Chinese Ministry of Commerce is not the US Commerce Department
    "The Chinese Ministry of Commerce said the RCEP agreement will take effect on January 1 for the ten members "
    "that ratified it.",
    # what the news is set against is not what it is about
    "The Federal Open Market Committee will deliver its rate decision Wednesday. Given the recent escalation of the "
    "U.S.-China trade war, this meeting will be closely watched.",
    "Foxconn will invest $1 billion in India. It is part of a gradual shift by Apple away from China as it navigates "
    "disruptions from a trade war between Beijing and Washington.",
])
def test_a_third_party_s_news_with_the_two_sides_as_background_stays_out(text: str) -> None:
    assert not assess_relevance("", text).relevant
