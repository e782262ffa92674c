"""Answers as elders give them: hedges, "but" clauses, near misses, negatively worded questions.

Each rule is checked with phrasings of its own (other verbs, other dialect forms), not the
labelled corpus's sentences.
"""

from __future__ import annotations

import pytest

from backend.domain.conversation import ReplyKind
from backend.domain.understanding import MeaningKind, understand
from backend.domain.understanding.text import normalise
from questions.loader import load_sets

_SETS = load_sets()
OSHU = _SETS["032158"]  # 岩手県南
KUDOYAMA = _SETS["303445"]  # 紀州・関西 (the 基本チェックリスト is asked here)


def meaning_of(qid, text, qset=OSHU):
    return understand(text, qset.question(qid), qset.lexicon)


def value_of(qid, text, qset=OSHU):
    meaning = meaning_of(qid, text, qset)
    assert meaning.kind is MeaningKind.ANSWER, (text, meaning)
    return meaning.reply.value


def checklist(qid, text, qset=KUDOYAMA):
    return value_of(qid, text, qset)


class TestHedgesBetweenTwoAnswers:
    @pytest.mark.parametrize(
        ("qid", "text"),
        [
            ("condition", "元気なような元気じゃないような"),
            ("condition", "調子いいんだか悪いんだか"),
            ("condition", "よかったり悪かったりです"),
            ("sleep", "眠れたような眠れなかったような"),
            ("mood", "楽しいような寂しいような"),
        ],
    )
    def test_a_hedge_between_a_good_and_a_bad_answer_is_so_so(self, qid, text):
        assert value_of(qid, text) == "so_so"

    def test_a_hedge_between_two_answers_that_agree_is_that_answer(self):
        assert value_of("condition", "痛いようなだるいような") == "bad"

    def test_not_knowing_which_of_two_answers_is_unknown(self):
        meaning = meaning_of("condition", "いいのか悪いのかわからない")
        assert (meaning.kind, meaning.reply.value) == (MeaningKind.SKIP, "unknown")

    def test_a_hedge_to_a_yes_no_question_is_asked_again_not_guessed(self):
        meaning = meaning_of("medication", "飲んだような飲まなかったような")
        assert meaning.kind is not MeaningKind.ANSWER


class TestButClauses:
    @pytest.mark.parametrize(
        "text", ["元気だけど腰が少し痛い", "大丈夫ですけど、ちょっと咳が出ます"]
    )
    def test_well_but_a_small_complaint_is_so_so(self, text):
        assert value_of("condition", text) == "so_so"

    def test_well_but_a_complaint_without_a_softener_is_still_bad(self):
        assert value_of("condition", "元気だけど腰が痛い") == "bad"


class TestNearMisses:
    @pytest.mark.parametrize(
        "text",
        ["つまずいて転びそうになったけど、転ばなかった", "こけそうになったけど、こけへんかった"],
    )
    def test_nearly_fell_but_did_not_is_no(self, text):
        assert value_of("fall_this_month", text, KUDOYAMA) is False

    def test_nearly_falling_alone_is_not_stored_as_a_fall(self):
        meaning = meaning_of("fall_this_month", "転びそうになりました", KUDOYAMA)
        assert meaning.kind is not MeaningKind.ANSWER or meaning.reply.value is not True


class TestNegativelyWordedQuestions:
    """The answer agrees when it says the question's words with the question's own polarity."""

    @pytest.mark.parametrize(
        ("qid", "text", "value"),
        [
            # 「階段を、手すりや壁につかまらずに昇っていますか」
            ("kc06", "つかまらないで昇れる", True),
            ("kc06", "手すりなしで上がれるよ", True),
            ("kc06", "壁につかまって昇ってます", False),
            ("kc06", "手すりを持たないと昇れない", False),  # and not only the last word
            # 「何にもつかまらずに立ち上がっていますか」
            ("kc07", "机に手をついて立ち上がります", False),
            ("kc07", "いつも何かにつかまって立ち上がる", False),
            # 「固いものが食べにくくなりましたか」
            ("kc13", "せんべいでも食べられますよ", False),
            ("kc13", "固いものが食べにくくなりました", True),  # and not only no
            # 「これまで楽しめていたことが、楽しめなくなりましたか」
            ("kc22", "前と同じように楽しんでます", False),
            ("kc22", "何をしても楽しくない", True),
            # 「自分が役に立つ人間だと思えない、と感じますか」
            ("kc24", "自分なんか役に立たないと思う", True),
            ("kc24", "まだ人の役に立っていると思います", False),
            ("kc24", "そうは思わない", False),  # the outer frame: 感じない
            # 「転ぶのではないか、という不安は大きいですか」
            ("kc10", "転ぶんじゃないかと心配です", True),
            ("kc10", "あまり心配してない", False),
        ],
    )
    def test_the_answer_is_read_against_the_questions_own_negation(self, qid, text, value):
        assert checklist(qid, text) is value


class TestNounsTakeTheirPredicate:
    @pytest.mark.parametrize(
        ("qid", "text"),
        [
            ("kc01", "ひとりでは無理やね"),  # 「ひとりで出かけていますか」
            ("kc16", "外にはほとんど出ません"),  # 「外に出かけていますか」
        ],
    )
    def test_a_question_word_in_a_denied_clause_says_no(self, qid, text):
        assert checklist(qid, text) is False

    @pytest.mark.parametrize(
        ("qid", "text"),
        [("kc02", "ヘルパーさんに頼んでいます"), ("kc03", "嫁に任せとる")],
    )
    def test_someone_else_doing_it_answers_by_oneself_with_no(self, qid, text):
        assert checklist(qid, text) is False

    @pytest.mark.parametrize(
        ("qid", "text"), [("kc17", "あまり変わらない"), ("kc11", "変わってない")]
    )
    def test_no_change_answers_a_question_about_a_change_with_no(self, qid, text):
        assert checklist(qid, text) is False


class TestDialectNegation:
    def test_kansai_ichidan_yahen_is_a_negative(self):
        # 「ご自分で電話番号を調べて、電話をかけていますか」
        assert checklist("kc19", "電話はかけやへん") is False

    def test_kansai_adjective_without_ku_is_a_negative(self):
        assert checklist("kc22", "ちっとも楽しないわ") is True
        assert normalise("嬉しないわ", KUDOYAMA.lexicon) == "嬉しくないわ"

    def test_toko_is_tokoro(self):
        assert value_of("condition", "痛いとこない") == "good"  # not と and 来る
        assert normalise("いとこが来た", OSHU.lexicon) == "いとこが来た"  # a cousin

    def test_kansai_ee_before_a_condition_word_is_ii(self):
        assert value_of("condition", "ええ調子や", KUDOYAMA) == "good"

    def test_iwate_nede_is_neteru(self):
        assert value_of("sleep", "ゆんべはねでねがった") == "slept_poorly"

    def test_iwate_taguneh_is_takunai(self):
        assert value_of("breakfast", "なんも食いたぐねぇ") == "not_ate"

    def test_iwate_daccha_is_da(self):
        assert value_of("condition", "いつもどおりだっちゃ") == "good"

    def test_iwate_mutsukeru_is_a_low_mood(self):
        assert value_of("mood", "今日はむつけでる") == "low"

    def test_a_good_anbai_is_good_health(self):
        assert value_of("condition", "いい塩梅です") == "good"


class TestUnknownAndSkips:
    def test_an_answer_that_ends_in_not_knowing_is_unknown(self):
        meaning = meaning_of("kc11", "測ってないし、よくわからない", KUDOYAMA)
        assert (meaning.kind, meaning.reply.value) == (MeaningKind.SKIP, "unknown")

    def test_a_worrying_answer_before_not_knowing_is_kept(self):
        assert value_of("condition", "どこが悪いのかわからない") == "bad"

    def test_not_knowing_is_an_answer_when_the_question_asks_about_it(self):
        # 「今日が何月何日か、わからなくなる時はありますか」
        assert checklist("kc20", "ときどきわからなくなる") is True

    @pytest.mark.parametrize(
        "text", ["血圧計が壊れてて", "測る機械の電池がなくて、血圧計が動かない"]
    )
    def test_a_measuring_device_not_used_is_unknown(self, text):
        meaning = meaning_of("blood_pressure", text)
        assert (meaning.kind, meaning.reply.value) == (MeaningKind.SKIP, "unknown")

    def test_busy_hands_is_later(self):
        meaning = meaning_of("condition", "ちょっと手が離せなくて")
        assert (meaning.kind, meaning.reply.value) == (MeaningKind.SKIP, "later")


class TestOtherAnswers:
    @pytest.mark.parametrize(
        ("qid", "text", "value"),
        [
            ("condition", "鼻水が出るんです", "bad"),
            ("condition", "くしゃみが止まらない", "bad"),
            ("condition", "別に変わったことはないね", "good"),
            ("condition", "なんとか暮らしてます", "so_so"),
            ("mood", "いい気持ちです", "good"),
            ("mood", "いい気分じゃない", "low"),
            ("mood", "なんだか気持ちが晴れない", "low"),
            ("sleep", "途中で一回も目が覚めなかった", "slept_well"),
            ("sleep", "咳が出て目が覚めた", "slept_poorly"),
            ("breakfast", "今から用意するところ", "not_ate"),
            ("breakfast", "今からです", "not_ate"),
            ("breakfast", "これから食べます", "not_ate"),
        ],
    )
    def test_each_is_understood(self, qid, text, value):
        assert value_of(qid, text) == value

    def test_no_and_not_much_is_a_no(self):
        meaning = meaning_of("sleep", "いやそれほど")
        assert meaning.reply.kind is ReplyKind.NO  # 眠れなかった, the sleep question's no

    @pytest.mark.parametrize(
        ("qid", "text"), [("kc25", "そんなことはありません"), ("kc12", "違うと思います")]
    )
    def test_such_a_thing_is_not_so_is_no(self, qid, text):
        assert checklist(qid, text) is False

    def test_nothing_done_at_all_is_zero_minutes(self):
        assert value_of("activity_minutes", "全く運動してない", KUDOYAMA) == 0

    def test_not_much_done_is_not_zero(self):
        meaning = meaning_of("activity_minutes", "あまり歩いてない", KUDOYAMA)
        assert meaning.kind is not MeaningKind.ANSWER


class TestFillersWithoutCommas:
    def test_a_filler_does_not_take_the_start_of_the_next_word(self):
        assert normalise("そうですねえらい") == "えらい"
        assert normalise("えーとねられない") == "ねられない"

    def test_iya_before_anmari_is_not_the_filler_iyaa(self):
        assert normalise("いやあんまり") == "いやあんまり"

    def test_an_iwate_nda_after_a_filler_is_kept(self):
        assert normalise("えーとんだ") == "んだ"


class TestConversation:
    @pytest.mark.parametrize(
        "text",
        [
            "はい、今日はもう終わりです",
            "ありがとう、もういいよ",
            "ほな、このへんで",
            "これで終わりにしましょう",
            "電話切るね",
        ],
    )
    def test_farewells(self, text):
        assert understand(text, OSHU.question("condition")).kind is MeaningKind.FAREWELL

    @pytest.mark.parametrize(
        ("text", "kind"),
        [
            ("来週の水曜日に検査入院です", "hospital"),
            ("明後日から病院に入ります", "hospital"),
            ("しばらく親戚の家に泊まります", "other"),
            ("来週から姉のところに行きます", "other"),
        ],
    )
    def test_away_plans(self, text, kind):
        meaning = understand(text)
        assert (meaning.kind, meaning.away_kind) == (MeaningKind.AWAY, kind)

    def test_someone_coming_to_ones_place_is_not_away(self):
        assert understand("来週から娘が私のところに来てくれる").kind is not MeaningKind.AWAY


class TestStandingWithSupport:
    """「つかまらないと立てない」 answers the checklist: how they stand, never an emergency."""

    @pytest.mark.parametrize(
        "text",
        [
            "つかまらないと立ち上がれない",
            "何かにつかまらんと立てへん",
            "手すり持たんと立てへん",
            "つかまらんと立たれへん",
        ],
    )
    def test_standing_only_with_support_is_no_to_standing_without_holding(self, text):
        assert meaning_of("kc07", text, KUDOYAMA).kind is not MeaningKind.EMERGENCY
        assert checklist("kc07", text) is False

    @pytest.mark.parametrize(
        "text", ["立ち上がれない", "転んで立ち上がれない", "助けがないと動けない"]
    )
    def test_cannot_stand_said_without_a_condition_or_needing_a_person_stays_an_emergency(
        self, text
    ):
        assert meaning_of("kc07", text, KUDOYAMA).kind is MeaningKind.EMERGENCY
