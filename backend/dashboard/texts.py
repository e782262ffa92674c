"""What staff read on the dashboard (ja-JP), kept in one catalog."""

from __future__ import annotations

from backend.domain.model import AlertStatus, AwayKind, Severity, StaffRole
from backend.services.today_board import SlotState

TITLE = "みまもり ダッシュボード"

SLOT_STATES = {
    SlotState.ANSWERED: "回答あり",
    SlotState.PARTIAL: "途中まで",
    SlotState.NOT_YET: "まだ",
    SlotState.UPCOMING: "これから",
    SlotState.MISSED: "応答なし",
    SlotState.AWAY: "お休み中",
    SlotState.NOT_DUE: "—",
}

SEVERITIES = {
    Severity.URGENT: "至急",
    Severity.PRIORITY: "優先",
    Severity.SAME_DAY: "当日中",
    Severity.INFO: "確認",
}

STATUSES = {
    AlertStatus.OPEN: "未対応",
    AlertStatus.CLAIMED: "対応中",
    AlertStatus.RESOLVED: "対応済み",
}

AWAY_KINDS = {
    AwayKind.HOSPITAL: "入院",
    AwayKind.TRAVEL: "旅行",
    AwayKind.SHORT_STAY: "ショートステイ",
    AwayKind.OTHER: "その他",
}

ROLES = {
    StaffRole.CENTER_STAFF: "センター職員",
    StaffRole.MUNICIPALITY_ADMIN: "市町村担当",
    StaffRole.OPERATOR: "運用担当",
}

HISTORY_ACTIONS = {
    "opened": "アラートが上がりました",
    "escalated": "次の段階へ知らせました",
    "nudged": "ご本人に声かけしました",
    "claimed": "確認を引き受けました",
    "resolved": "対応を記録しました",
    "notified": "お知らせを送りました",
    "findings": "フォローアップの所見が増えました",
}
FOLLOW_UP_FINDINGS = "この月の所見"
SPEAKER_SILENT_HELP = (
    "スピーカーからの連絡が途絶えていますが、歩数計や体重計の記録は届いています。"
    "停電や Wi-Fi の不具合かもしれません。お電話で確認してください。"
)

# The steps of a missed check-in (backend.domain.rules STAGE_*), as staff read them.
STAGES = {
    0: "まずご本人に声かけ",
    1: "ご家族へ連絡",
    2: "センターへ連絡",
    3: "2日続けて応答なし：訪問などの確認を",
}

VIA = {"dashboard": "ダッシュボード", "line": "LINE"}

ACTORS = {"system": "システム", "elder": "ご本人"}

LOGIN_REQUIRED = "ログインしてください。"
LOGIN_FAILED = "ログインIDまたはパスワードが違います。"
LOGIN_LOCKED = (
    "ログインの失敗が続いたため、しばらく受け付けません。15分ほどたってからお試しください。"
)
LOGGED_OUT = "ログアウトしました。"
SESSION_EXPIRED = "画面の有効期限が切れました。もう一度お試しください。"
CLAIMED = "このアラートの確認を引き受けました。"
CLAIM_TAKEN = "このアラートは、ほかの方がすでに引き受けています。"
RESOLVED = "対応を記録しました。"
ALREADY_RESOLVED = "このアラートはすでに対応済みです。"
AWAY_ADDED = "お休みの期間を登録しました。"
AWAY_ENDED = "お休みを終わりにしました。見守りを再開します。"
AWAY_NONE = "いまお休み中の期間はありません。"
NOT_FOUND = "ページが見つかりません。"
SERVER_ERROR = "うまく処理できませんでした。時間をおいてもう一度お試しください。"
STORE_BUSY = "ただいま混み合っています。少し待ってから、もう一度お試しください。"
NO_CENTER = "表示できるセンターがありません。"

REQUIRED = "{label}を入力してください。"
BAD_DATE = "日付は 2026-11-23 のように入力してください。"
END_BEFORE_START = "終了日は開始日より後の日にしてください。"
NOTE_TOO_LONG = "メモは2000文字までにしてください。"

BOARD_ITEM = "気になること"
BOARD_OTHERS = "ほか{count}件"

ADDED_QUESTIONS = "この方だけの追加の質問"

# The medication reminder the elder set on the speaker by voice (shown while it is in force).
REMINDER_LABEL = "お薬のお知らせ"
REMINDER_DAILY = "毎日 {time}（{by}）"
REMINDER_SET_BY = {"elder": "ご本人が設定"}

CHECKLIST_TITLE = "基本チェックリスト（月ごと・領域ごとの点数）"
CHECKLIST_HELP = (
    "点数は気になる答えの数です（多いほど支援が必要なことがあります）。"
    "月の途中は、答えた問だけで数えています。"
)
CHECKLIST_MET = "基準に当てはまったもの"
CHECKLIST_NONE_MET = "なし"

UNHEARD_TITLE = "聞き取れなかったお答え"
UNHEARD_HELP = (
    "スピーカーが2度聞き取れず、答えずに先へ進んだ質問です（この30日）。"
    "言い方や体調の変化に気づく手がかりにしてください。"
)

CHART_EMPTY = "まだ記録がありません"

RULES = {
    "missed_checkin": "応答なし",
    "concern": "気になる答え",
    "weight_drop": "体重の減少",
    "activity_drop": "活動量の低下",
    "bp_high": "血圧（当日中に確認）",
    "bp_urgent": "血圧（至急）",
    "emergency": "緊急の言葉",
    "kihon_checklist": "基本チェックリスト",
    "disaster_help": "災害時の「助けが必要」",
    "follow_up": "フォローアップ（今月のまとめ）",
    "speaker_silent": "スピーカーと連絡が取れません",
}
RULE_OTHER = "その他の基準"
BAD_MONTH = "月は 2026-11 のように指定してください。"

# --- municipality admin pages ------------------------------------------------

ADMIN_MENU = "市町村の設定"
ADMIN_ONLY = (
    "この画面（市町村の設定）は、市町村担当のアカウントで使えます。"
    "センター職員のアカウントでは開けません。"
)
CONFIG_TITLES = {
    "question_set": "質問セット",
    "policy": "アラートの基準",
    "engagement": "話題・クイズ",
}
CONFIG_HELP = {
    "question_set": (
        "ご本人にたずねる質問を YAML で書きます。書き方は questions/sets のファイルと同じです。"
        "版の番号（version）は公開するときに自動で次の番号になります。"
    ),
    "policy": (
        "アラートを出す基準を YAML で書きます。書き方は questions/policies のファイルと同じです。"
        "書かなかった項目は既定値になります。"
    ),
    "engagement": (
        "チェックインのあとの「今日は何の日」「季節の話題」「クイズ」を、この市町村向けに YAML で"
        "書きます。書き方は questions/engagement のファイルと同じです。全国の記念日・節気と"
        "同梱のクイズはそのまま使われ、ここに書いた日と問題が先に使われます。"
    ),
}
# What an engagement file holds, item by item (the editor's help).
ENGAGEMENT_HELP = (
    ("enabled", "true で始まります。false（既定）のあいだは、話題もクイズもスタンプもありません。"),
    ("topics・quiz・stamps", "話題・クイズ・スタンプを一つずつ止めるときに false にします。"),
    ("quiz_per_day", "1日に出すクイズの数です（1 か 2）。"),
    (
        "medication_reminder",
        "true で、服薬の質問に答えたあと、お薬の時間のお知らせ（このスピーカーのリマインダー）を"
        "一度だけおすすめします。enabled とは別で、既定は false です。ご本人が「薬の時間に教えて」"
        "と言えば、いつでも設定できます。",
    ),
    (
        "days",
        "地元の記念日や行事です。name（名前）と say（読み上げる文）に、日を次のどれか一つで"
        '書きます：date（"02-20" のような月-日）、month・nth・weekday（例：11月の第2日曜）、'
        "term（節気）と offset（その前後の日数）。",
    ),
    (
        "questions",
        "地元のクイズです。id（英小文字・数字・_）、kind（言葉・計算・昔の歌・地元）、ask（問題文）、"
        "choices（選択肢を2つか3つ）、answer（choices のどれか）、also（答えの別の言い方）、"
        "after（答えのあとのひとこと）。",
    ),
    ("読み上げる文", "英字や { } _ < > 〇 などの記号は使えません。かなと漢字で書いてください。"),
)
# The text offered when a municipality has no engagement file yet.
ENGAGEMENT_STARTER = """\
# この市町村の話題・クイズ。enabled: true にすると、チェックインのあとに始まります。
municipality_code: "{code}"
enabled: false
# 地元の日の例：
#   - name: 町の誕生日
#     date: "04-01"
#     say: 今日は町の誕生日です。
days: []
# 地元のクイズの例：
#   - id: machi_no_hana
#     kind: 地元
#     ask: この町の花は、何でしょう。
#     choices: [さくら, つばき]
#     answer: さくら
questions: []
"""
CONFIG_YAML_EDITOR = "YAML で編集"
CONFIG_TEXT_LABEL = "内容（YAML）"
CONFIG_CHECK = "確認する"
CONFIG_PUBLISH = "公開する"
CONFIG_CHECKED = "誤りはありません。まだ公開していません。"
CONFIG_PUBLISHED = "版 {version} を公開しました。次の会話から使われます。"
CONFIG_PROBLEMS = "{count} 件の誤りがあります。何も保存していません。"
CONFIG_PROBLEM_LINE = "行 {line}"
CONFIG_CONFLICT = "ほかの方が先に新しい版を公開しました。内容を確かめて、もう一度公開してください。"
CONFIG_TOO_LONG = "内容が長すぎます（20万文字まで）。"
CONFIG_EMPTY = "内容を入力してください。"
CONFIG_FROM_FILE = (
    "ファイル（{source}）の内容が使われています。まだ画面から公開した版はありません。"
)
CONFIG_FROM_STORE = "版 {version} が使われています（{when}、{who}さんが公開）。"
CONFIG_NOTHING = "この市町村のファイルはまだありません。"
ENGAGEMENT_NOTHING = (
    "この市町村のファイルはまだありません。話題・クイズはオフです。下の例から書き始められます。"
)
PREVIEW_TITLE = "ご本人が聞く内容（{day}の場合）"
PREVIEW_NONE_TODAY = "この日は、この時間帯にたずねる質問はありません。"
HISTORY_TITLE = "公開の履歴"
HISTORY_EMPTY = "まだ画面から公開した版はありません。"
VERSION_TITLE = "{title} 版 {version}"
VERSION_LOAD = "この版を編集欄に読み込む"
AUDIT_EXPORT = "書き出し"

NOTICES_TITLE = "お知らせ"
NOTICE_NEW = "新しいお知らせ"
NOTICE_SAVED = "お知らせを保存しました。"
NOTICE_WITHDRAWN = "お知らせを取り下げました。もう読み上げられません。"
NOTICE_NOT_EDITABLE = "取り下げたお知らせは変更できません。"
NOT_A_CHOICE = "選べる項目の中から選んでください。"
NOTICE_ID_TAKEN = "この ID はすでに使われています。別の ID にしてください。"
NOTICE_PROBLEMS = "{count} 件の誤りがあります。何も保存していません。"
NOTICE_STATUSES = {"draft": "下書き", "published": "公開中", "withdrawn": "取り下げ"}
NOTICE_EVERYONE = "市町村の全員"
NOTICE_ONCE = "1回"
NOTICE_NONE = "お知らせはまだありません。"
NOTICE_KIND_LABEL = "お知らせの形"
NOTICE_KINDS = {
    "お知らせ": "お知らせ（読み上げる文をお伝えする）",
    "体操": "体操のおさそい（決めた曜日と時刻に「…の時間です。ご一緒にいかがですか」）",
}
EXERCISE_LEGEND = "体操のおさそい（お知らせの形が「体操」のとき）"
EXERCISE_HELP = (
    "題名がそのまま読まれます（「いきいき百歳体操の時間です。ご一緒にいかがですか。」）。"
    "読み上げる時間帯にスピーカーを使ったご本人に、1日1回、見守りのお話のあとでおさそいします。"
    "「読み上げる文」は、おさそいのあとに続けたいことがあれば書いてください（なくてもかまいません）。"
    "繰り返す曜日を選んでください。種類は「通常」にしてください。"
)
EXERCISE_TIME_LABEL = "体操の時刻（10:00 のように）"
EXERCISE_WINDOW_START_LABEL = "読み上げを始める時刻（空なら体操の時刻）"
EXERCISE_WINDOW_END_LABEL = "読み上げを終える時刻（空なら体操の時刻の90分後）"
EXERCISE_ANSWERS_TITLE = "おさそいへのお返事"
NOTICE_LIST_HELP = (
    "聞いた人の数は、対象のご本人のうち、そのお知らせ（繰り返しのものはその日の分）を"
    "スピーカーで聞いた人の数です。"
)

MESSAGES_MENU = "ご本人へのメッセージ"
MESSAGE_TITLE = "{name}さんへのメッセージ"
MESSAGE_LABEL = "読み上げる文（200文字まで）"
MESSAGE_HELP = (
    "次にご本人がスピーカーを使ったときに、「{center}からのお知らせです」に続けて読み上げます。"
    "短い文で、ゆっくり読んでわかる言葉にしてください。"
)
MESSAGE_SENT = "メッセージを送りました。次にスピーカーを使ったときに読み上げます。"
MESSAGE_ERRORS = {
    "empty": "読み上げる文を入力してください。",
    "too_long": "読み上げる文は200文字までにしてください。",
    "control": "読み上げられない文字が含まれています。",
}
MESSAGE_WAITING = "まだ聞いていないお知らせ"
MESSAGE_NONE_WAITING = "まだ聞いていないお知らせはありません。"
MESSAGE_PICK = "メッセージを送るご本人を選んでください。"

EXPORTS_TITLE = "CSV の書き出し"
EXPORT_KINDS = {
    "alerts": "アラート（1件1行）",
    "alert_notes": "アラートと対応メモ（メモは自由記述：個人が分かる内容を含むことがあります）",
    "checkins": "見守りの記録（チェックイン1回1行）",
    "notices": "お知らせを聞いたか（お知らせとご本人ごとに1行）",
    "alert_figures": "アラートの現場での結果（種類ごとに1行：100人・月あたり、対応不要の割合）",
}
EXPORT_HELP = (
    "市町村の1か月分を書き出します。名前は入らず、ID だけです（mimamori export と同じ列）。"
    "「アラートと対応メモ」だけは、職員が書いたメモ（自由記述）を最後の列に含みます。"
    "書き出したことは記録に残ります。"
)
EXPORT_BOM = "Excel で開く（BOM 付き）"
