"""What staff read about an alert's evidence (ja-JP): the board's one line and the alert page."""

from __future__ import annotations

# --- the board: the most serious open item of an elder, in one line ----------------------------

MISSED_ONE = "{slots}の応答なし（{day}）"
MISSED_MANY = "{slots}とも応答なし（{day}）"
MISSED_RUNNING = "{days}日続けて応答なし（{since}から）"
MISSED_ENDED = "{line}→その後反応あり（{at}）"
SLOT_JOIN = "・"
CONCERN_ONE = "{question}「{answer}」（{day}）"
CONCERN_RUNNING = "{question}「{answer}」が{days}日続く（{day}まで）"
WEIGHT = "体重 {months}か月で{drop}kg減"
ACTIVITY = "{measure} 以前の{percent}%に減少"
BP = "血圧 {systolic}/{diastolic}（{at}）"
EMERGENCY_SAID = "緊急の言葉「{words}」（{at}）"
EMERGENCY = "緊急の言葉（{at}）"
DISASTER = "災害のお知らせに「助けが必要」（{at}）"
CHECKLIST = "基本チェックリスト {month}：{criteria}"
FOLLOW_UP_MORE = "{line} ほか{more}件（今月のまとめ）"
FOLLOW_UP_DETAIL = "　{label}"  # a finding's own evidence, under its line
FOLLOW_UP_RULE = (
    "経過観察の所見（血圧 160〜179、気になる答え、チェックリスト、体重・歩数の減少）は、"
    "月ごとに1件にまとめています。ご家族やセンターへの連絡はせず、この画面でご確認ください。"
)
CHECKLIST_NONE = "基本チェックリスト {month}"
OTHERS = "ほか{count}件"
AT = "{at} に発生"

MEASURES = {"steps": "歩数", "activity_minutes": "活動時間"}
MEASURE_UNITS = {"steps": "歩", "activity_minutes": "分"}

# --- the alert page: what happened, in words and numbers ---------------------------------------

EVIDENCE_TITLE = "何があったか"
RULE_TITLE = "基準"
LABEL_WHEN = "日時"
LABEL_SLOT = "時間帯"
LABEL_SAID = "ご本人の言葉"
LABEL_HOW = "聞き取り"
LABEL_ANSWER = "答え"
LABEL_RECENT = "最近の値"
LABEL_BASELINE = "比べた値"
LABEL_DROP = "変化"
LABEL_READINGS = "測った値"
LABEL_NOTICE = "お知らせ"
LABEL_SCORES = "領域ごとの点数"
LABEL_CRITERIA = "基準に当てはまった項目"
LABEL_NEXT = "この先の連絡"
LABEL_AFTER = "その後"

MISSED_WHEN = "{day} {slot}（{start}〜{end}）"
MISSED_RULE = (
    "時間帯の終わりから{grace}分たっても応答がなければご本人に声かけ、"
    "そのあとご家族へ、始まりから24時間たつとセンターへ知らせます。"
    "{days}日続くと優先になります。"
)
MISSED_RUNNING_FACT = "{since}から{days}日続けて応答がありません"
MISSED_NEXT = "ご家族へ {family}／センターへ {center}"
MISSED_ENDED_FACT = "{at} に、ご本人の反応がありました。まだ送っていなかった連絡は取りやめました。"
CONCERN_ANSWER = "{day}：「{answer}」"
CONCERN_RAW = "（ご本人の言葉「{raw}」）"
CONCERN_RULE_ONE = "「{question}」で気になる答えがあった日に、当日中の確認をお願いしています。"
CONCERN_RULE_RUNNING = (
    "「{question}」の気になる答えが{days}日続いたときに、確認をお願いしています。"
)
WEIGHT_MEDIAN = "中央値 {median}kg（{start}〜{end}の{count}回）"
WEIGHT_DROP_FACT = "{drop}kg 減りました"
WEIGHT_RULE = (
    "週ごとの体重の中央値を、{months}か月前の同じ長さの期間の中央値と比べ、"
    "{threshold}kg 以上減ったときに知らせます（改訂 J-CHS 基準 2020）。"
)
ACTIVITY_RECENT = "直近{days}日の中央値 {value}{unit}（{start}〜{end}）"
ACTIVITY_BASELINE = "その前の{days}日の中央値 {value}{unit}（{start}〜{end}）"
ACTIVITY_RATIO = "以前の{percent}%"
ACTIVITY_RULE = "直近の中央値が、その前の期間の中央値の{percent}%を下回ったときに知らせます。"
BP_READING = "{at}：上 {systolic}／下 {diastolic} mmHg"
BP_RULE = "家庭血圧が上 {systolic} 以上、または下 {diastolic} 以上のときに知らせます（JSH 2019）。"
EMERGENCY_INTENT = "「助けて」などの緊急の言葉を聞き取りました（言葉そのものは記録されていません）"
EMERGENCY_MESSAGE = "ご家族への伝言の中に緊急の言葉がありました"
EMERGENCY_RULE = (
    "緊急の言葉は、すぐに至急のアラートになります。ご本人には119番への通報をすすめています。"
)
EMERGENCY_KINDS = {
    "help": "助けを求める言葉",
    "someone_come": "だれか来てほしいという言葉",
    "ambulance": "救急車を求める言葉",
    "chest_or_breath": "胸の痛み・息苦しさ",
    "cannot_move": "動けないという言葉",
    "body_will_not_move": "体が動かないという言葉",
    "bleeding": "出血",
    "overdose": "薬の飲みすぎ",
    "head_injury": "頭のけが",
    "stroke": "脳卒中が疑われる言葉",
    "severe_pain": "強い痛み",
    "consciousness": "意識がおかしいという言葉",
    "dying": "死にそうだという言葉",
    "sudden": "急な異変",
    "fire": "火事・警報",
    "suffocating": "息ができないという言葉",
    "collapsed": "倒れたという言葉",
}
EMERGENCY_KIND_OTHER = "緊急の言葉"
DISASTER_RULE = (
    "災害のお知らせの安否確認に「助けが必要」と答えると、すぐに至急のアラートになります。"
)
CHECKLIST_DOMAIN = "{label} {points}/{of}点"
CHECKLIST_MISSING = "（{missing}問 未回答）"
CHECKLIST_RULE = (
    "基本チェックリストを月ごとに採点し、厚生労働省の基準（領域ごとの点数）に"
    "当てはまったときに、急ぎでない確認をお願いしています。"
)
CHECKLIST_CRITERION = "{label}（{points}点、基準 {cutoff}点以上）"
NONE = "—"
