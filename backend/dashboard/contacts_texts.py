"""What staff read about an elder's contacts (ja-JP)."""

from __future__ import annotations

TITLE = "連絡先"
EDIT = "連絡先を編集する"
ADD = "連絡先を登録する"
NONE = "連絡先はまだ登録されていません。"
FORM_TITLE = "{name}さんの連絡先"
HELP = (
    "ご本人の同意を得たうえで登録してください。見た人と日時は記録に残ります。"
    "同意が撤回され保存期間が過ぎると、連絡先は消去されます。"
)
LABELS = {
    "phone": "ご本人の電話番号",
    "address": "住所",
    "emergency": "緊急連絡先",
    "key_holder": "鍵を預かっている人",
    "minsei_name": "担当の民生委員",
    "minsei_phone": "民生委員の電話番号",
    "consented": "ご本人が、センターがこの連絡先を保管することに同意しています",
}
EMERGENCY_ROW = "緊急連絡先 {n}"
NAME = "お名前"
RELATION = "続柄"
PHONE = "電話番号"
SAVE = "保存する"
SAVED = "連絡先を保存しました。"
PROBLEMS = "{count} 件の誤りがあります。何も保存していません。"
UPDATED = "{when} {who}さんが更新（同意日 {consented}）"
ERRORS = {
    "required": "{label}を入力してください。",
    "phone": "{label}は 0197-24-2111 のように数字とハイフンで入力してください。",
    "too_long": "{label}は200文字までにしてください。",
    "control": "{label}に使えない文字が含まれています。",
    "too_many": "{label}は5件までです。",
    "no_consent": "見守りの同意の記録がないため、連絡先は保存できません。",
}
CONSENT_REQUIRED = "連絡先を保管することへのご本人の同意を確かめて、チェックを入れてください。"
