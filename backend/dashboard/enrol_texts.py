"""What staff read on the enrolment, profile and consent pages (ja-JP), kept in one catalog."""

from __future__ import annotations

from backend.domain import consent

SHARE_LABELS = {
    consent.CENTER_ANSWERS: (
        "地域包括支援センターの職員が、毎日のお答えとお知らせを見る（見守りに必須）"
    ),
    consent.FAMILY_STATUS: "ご家族が、毎日の様子を受け取る（LINE）",
    consent.FAMILY_ALERTS: "ご家族が、応答がないときなどの連絡（アラート）を受け取る",
}

FLAGS = {
    consent.FLAG_WITHDRAWN: "同意撤回",
    consent.FLAG_RECONFIRM: "同意の再確認",
    consent.FLAG_MISSING: "同意の記録なし",
}

ENROL_MENU = "利用者の登録"
ENROLLED = "{name}さんを登録しました。スピーカーのペアリングコードを発行してください。"
PROFILE_SAVED = "プロフィールを保存しました。"
CONSENT_SAVED = "同意の記録を保存しました。次の再確認日は {date} です。"
FIX_ERRORS = "入力に誤りがあります。赤字の項目を直してください。"
IMPORTED = "{count}人を登録しました。"
IMPORT_REFUSED = "ファイルに誤りがあるため、1人も登録していません。次の行を直してください。"
IMPORT_NO_FILE = "CSV ファイルを選んでください。"
RECONFIRM_HELP = "空欄なら同意日の1年後です。"
OTHER_SHARES_HELP = (
    "ほかに同意した共有があれば「相手：内容」の形で1行に1つずつ"
    "（例：民生委員：応答がないときの連絡）。"
)
