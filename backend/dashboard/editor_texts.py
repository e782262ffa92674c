"""Japanese words of the question-set and alert-policy forms (municipality admins read them)."""

from __future__ import annotations

SET_FORM_TITLE = "質問と、たずねる時間"
SET_FORM_HELP = (
    "質問ごとに、たずねる時間帯と回数（毎日・毎週・毎月）を選びます。"
    "順番の数が小さいものから先にたずねます。"
)
COL_ORDER = "順番"
COL_QUESTION = "質問（ご本人が聞く言葉）"
COL_SLOTS = "時間帯"
COL_EVERY = "回数"
COL_REMOVE = "外す"
FROM_CATALOG = "カタログの質問"
CUSTOM = "この市町村だけの質問"
WEEKDAY = "曜日"
WEEKDAY_SUFFIX = "曜"
DAY = "日にち"
DAY_SUFFIX = "日"
CHOOSE = "（選んでください）"
REMOVE_LABEL = "{title}を外す"
ADD_LABEL = "カタログから質問を足す"
ADD_BUTTON = "足す"
ADD_NONE = "カタログの質問はすべて使われています。"
FORM_CHECK = "確認する"
FORM_PUBLISH = "公開する"
FORM_PROBLEMS = "{count} 件の誤りがあります。何も保存していません。直す所に印があります。"
FORM_UNREADABLE = (
    "いまの内容はフォームでは表示できません。下の「上級者向け：YAML で編集する」で直してください。"
)
ADVANCED = "上級者向け：YAML で編集する"

POLICY_FORM_TITLE = "アラートの基準"
POLICY_FORM_HELP = (
    "空欄の項目は既定値になります。既定値は、国の調査や他の市町村の運用をもとに決めています"
    "（出典は questions/policy.py）。"
)
DEFAULT = "既定値 {value}{unit}"
CHOICE_DEFAULT = "既定（{value}）"
YES = "はい"
NO = "いいえ"
