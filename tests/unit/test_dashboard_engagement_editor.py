"""The engagement editor (今日は何の日・クイズ) through Flask's test client, heard by the skill."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from backend.domain.model import StaffRole
from backend.domain.versions import ConfigKind
from backend.services import municipal_config
from backend.services.context import Services
from backend.services.published import REFRESH_SECONDS, published_engagement
from questions.engagement_files import ENGAGEMENT_DIR, engagement_for
from tests.builders import MUNICIPALITY_CODE, OTHER_MUNICIPALITY_CODE, make_municipality, make_user
from tests.dashboard_world import csrf_token, password_hash
from tests.fakes import FakeStore, FakeUnitOfWork
from tests.unit.test_dashboard_web import _app, login
from tests.unit.test_engagement_dialogue import complete

CODE = MUNICIPALITY_CODE
PAGE = f"/admin/{CODE}/engagement"
FILE_TEXT = (ENGAGEMENT_DIR / f"{CODE}.yaml").read_text(encoding="utf-8")
LOCAL_DAY = '  - {date: "11-23", name: 水沢の秋まつり, say: "今日は、水沢の秋まつりの日です。"}\n'
WITH_LOCAL_DAY = FILE_TEXT.replace("days:\n", "days:\n" + LOCAL_DAY)
ADMIN, STAFF, OTHER_ADMIN, OPERATOR = "admin", "sato.hanako", "other.admin", "operator"


@pytest.fixture
def services(services: Services) -> Services:
    return replace(services, engagement=published_engagement(services.uow))


@pytest.fixture
def staff(store: FakeStore, elder) -> None:
    with FakeUnitOfWork(store) as uow:
        uow.municipalities.add(make_municipality(OTHER_MUNICIPALITY_CODE, name="他市"))
        hashed = password_hash()
        uow.users.add(make_user("user-1", login=STAFF, password_hash=hashed))
        for n, login_name, role, code in (
            (3, ADMIN, StaffRole.MUNICIPALITY_ADMIN, CODE),
            (4, OPERATOR, StaffRole.OPERATOR, None),
            (9, OTHER_ADMIN, StaffRole.MUNICIPALITY_ADMIN, OTHER_MUNICIPALITY_CODE),
        ):
            uow.users.add(
                make_user(
                    f"user-{n}",
                    login=login_name,
                    display_name=f"{login_name} 担当",
                    role=role,
                    municipality_code=code,
                    center_id=None,
                    password_hash=hashed,
                )
            )
        uow.commit()


@pytest.fixture
def client(services: Services, staff: None) -> FlaskClient:
    return _app(services).test_client()


def signed_in(client: FlaskClient, who: str) -> FlaskClient:
    assert login(client, who).status_code == 302
    return client


def post(client: FlaskClient, text: str, action: str = "publish", path: str = PAGE):
    token = csrf_token(client.get(path).text)
    return client.post(path, data={"csrf_token": token, "text": text, "action": action})


def escaped(text: str) -> str:
    return text.replace('"', "&#34;").replace("'", "&#39;")


class TestTheEditorPage:
    def test_the_admin_menu_links_to_the_editor_which_starts_from_the_file_with_help(
        self, client: FlaskClient
    ) -> None:
        menu = signed_in(client, ADMIN).get("/admin/")
        assert f'<a href="{PAGE}">話題・クイズの編集</a>' in menu.text
        page = client.get(PAGE)
        assert page.status_code == 200
        assert "<h1>話題・クイズの編集" in page.text
        assert "ファイル（questions/engagement/032158.yaml）の内容が使われています" in page.text
        assert escaped('say: "今日は奥州市の誕生日です。') in page.text
        for key in ("enabled", "days", "questions"):
            assert f"<dt><code>{key}</code></dt>" in page.text
        assert "まだ画面から公開した版はありません。" in page.text

    def test_a_municipality_without_a_file_starts_from_an_example_that_is_off(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        path = f"/admin/{OTHER_MUNICIPALITY_CODE}/engagement"
        page = signed_in(client, OPERATOR).get(path)
        assert "話題・クイズはオフです" in page.text
        assert escaped(f'municipality_code: "{OTHER_MUNICIPALITY_CODE}"') in page.text
        starter = page.text.split('class="yaml"')[1].split(">", 1)[1].split("</textarea>")[0]
        started = starter.replace("&#34;", '"').replace("&#39;", "'").lstrip("\n")
        assert post(client, started, path=path).status_code == 302
        stored = store.state.config_versions[("engagement", OTHER_MUNICIPALITY_CODE, 1)]
        assert "enabled: false" in stored.text


class TestPublishing:
    def test_a_published_local_day_is_spoken_after_the_check_in_on_that_date(
        self, client: FlaskClient, store: FakeStore, speaker
    ) -> None:
        signed_in(client, ADMIN)
        response = post(client, WITH_LOCAL_DAY)
        assert response.status_code == 302
        stored = store.state.config_versions[("engagement", CODE, 2)]  # the file counts as 1
        assert stored.text == WITH_LOCAL_DAY
        assert stored.published_by == "staff:user-3"
        audit = [e for e in store.state.audit if e.action == "publish_engagement"]
        assert [(e.detail["municipality_code"], e.detail["version"]) for e in audit] == [(CODE, 2)]
        page = client.get(PAGE)
        assert "版 2 を公開しました" in page.text
        assert "版 2 が使われています" in page.text
        assert "name: 水沢の秋まつり" in client.get(f"{PAGE}/versions/2").text
        reply = complete(speaker)
        assert "今日は、水沢の秋まつりの日です。" in reply.speech
        assert "勤労感謝の日" not in reply.speech  # the municipality's own day comes first

    def test_engagement_turned_off_on_the_dashboard_offers_no_topic_and_no_quiz(
        self, client: FlaskClient, speaker
    ) -> None:
        signed_in(client, ADMIN)
        off = FILE_TEXT.replace("enabled: true", "enabled: false")
        assert post(client, off).status_code == 302
        reply = complete(speaker)
        assert "おしまい" in reply.speech
        assert "クイズ" not in reply.speech
        assert "勤労感謝の日" not in reply.speech

    def test_check_validates_without_publishing(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        response = post(signed_in(client, ADMIN), WITH_LOCAL_DAY, action="check")
        assert response.status_code == 200
        assert "誤りはありません" in response.text
        assert store.state.config_versions == {}


class TestProblems:
    def test_every_problem_is_shown_with_its_line_and_path_and_nothing_is_stored(
        self, client: FlaskClient, store: FakeStore
    ) -> None:
        text = (
            'municipality_code: "032158"\n'  # 1
            "enabled: true\n"  # 2
            "days:\n"  # 3
            '  - {date: "02-30", name: まつり, say: "今日は、まつりです。"}\n'  # 4
            "questions:\n"  # 5
            "  - id: kaki\n"  # 6
            "    kind: 地元\n"  # 7
            "    ask: 柿の産地はどこでしょう。\n"  # 8
            "    choices: [九度山, 水沢]\n"  # 9
            "    answer: 前沢\n"  # 10
            "  - {id: kaki, kind: 地元, ask: Quiz, choices: [柿, 梨], answer: 柿}\n"  # 11
        )
        response = post(signed_in(client, ADMIN), text)
        assert response.status_code == 400
        assert "3 件の誤りがあります。何も保存していません。" in response.text
        source = "questions/engagement/032158.yaml"
        for line in (
            f"行 4：<code>{source}:4: days[0]: 02-30 という日付はありません",
            f"行 6：<code>{source}:6: questions[0]: answer &#39;前沢&#39; が choices にありません",
            f"行 11：<code>{source}:11: questions[1]: 読み上げられない文字 &#39;Q&#39; があります",
        ):
            assert line in response.text
        assert escaped(text.splitlines()[3]) in response.text  # the text stays in the editor
        assert store.state.config_versions == {}
        assert [e for e in store.state.audit if e.action == "publish_engagement"] == []

    def test_a_file_for_another_municipality_code_is_refused(self, client: FlaskClient) -> None:
        other = FILE_TEXT.replace('municipality_code: "032158"', 'municipality_code: "131016"')
        response = post(signed_in(client, ADMIN), other)
        assert response.status_code == 400
        assert "ファイル名 032158.yaml とコードが一致しません" in response.text


class TestScope:
    @pytest.mark.parametrize("who", [STAFF, OTHER_ADMIN])
    def test_staff_who_are_not_its_admin_get_404_and_nothing_is_stored(
        self, client: FlaskClient, store: FakeStore, who: str
    ) -> None:
        signed_in(client, ADMIN)
        assert post(client, WITH_LOCAL_DAY).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
        signed_in(client, who)
        for path in (PAGE, f"{PAGE}/versions/2"):
            assert client.get(path).status_code == 404, path
        token = csrf_token(client.get("/").text)
        posted = client.post(
            PAGE, data={"csrf_token": token, "text": FILE_TEXT, "action": "publish"}
        )
        assert posted.status_code == 404
        assert [v for (_k, _c, v) in store.state.config_versions] == [2]


class TestPublishedEngagement:
    def test_another_process_sees_a_publication_after_the_refresh_time(
        self, services: Services, store: FakeStore, staff: None
    ) -> None:
        ticks = [0.0]
        engagement = published_engagement(services.uow, engagement_for, monotonic=lambda: ticks[0])
        assert engagement(CODE).enabled
        admin = store.state.users["user-3"]
        off = FILE_TEXT.replace("enabled: true", "enabled: false")
        municipal_config.publish(services, admin, ConfigKind.ENGAGEMENT, CODE, off)
        assert engagement(CODE).enabled
        ticks[0] += REFRESH_SECONDS
        assert not engagement(CODE).enabled

    def test_a_published_version_no_longer_valid_gives_way_to_the_file(
        self, services: Services, store: FakeStore, staff: None, caplog
    ) -> None:
        admin = store.state.users["user-3"]
        municipal_config.publish(services, admin, ConfigKind.ENGAGEMENT, CODE, WITH_LOCAL_DAY)
        with FakeUnitOfWork(store) as uow:  # as if the loader had since become stricter
            (key,) = store.state.config_versions
            broken = replace(uow.config_versions.get(*key), text="municipality_code: 1\n")
            uow.working.config_versions[key] = broken
            uow.commit()
        engagement = published_engagement(services.uow, engagement_for)
        with caplog.at_level(logging.ERROR):
            found = engagement(CODE)
        assert found == engagement_for(CODE)
        assert "published engagement 032158 v2 is no longer valid" in caplog.text

    def test_a_read_overtaken_by_a_publication_in_this_process_is_not_kept(
        self, store: FakeStore, staff: None
    ) -> None:
        reads = []

        def uow() -> FakeUnitOfWork:
            reads.append(len(reads))
            if len(reads) == 1:
                engagement.invalidate()  # published while the store was being read
            return FakeUnitOfWork(store)

        engagement = published_engagement(uow, engagement_for, monotonic=lambda: 0.0)
        engagement(CODE)
        engagement(CODE)
        engagement(CODE)
        assert reads == [0, 1]
