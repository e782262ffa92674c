"""The store contract of versions published from the dashboard (sets, policies, engagement).

Run by the same modules as ``store_contract`` (fake, SQLite, PostgreSQL) with their
``uow_factory`` fixture.
"""

from __future__ import annotations

import pytest

from backend.bootstrap import bootstrap
from backend.domain.errors import Conflict, NotFound
from backend.domain.versions import ConfigKind, ConfigVersion
from questions.engagement_files import load_calendar
from tests.builders import MUNICIPALITY_CODE, OTHER_MUNICIPALITY_CODE, jst, make_municipality, seed
from tests.e2e.test_alexa_endpoint import IsolatedSettings

__all__ = ["TestConfigVersions"]

ENGAGEMENT_TEXT = (
    f'municipality_code: "{MUNICIPALITY_CODE}"\n'
    "enabled: true\n"
    "days:\n"
    '  - {date: "11-23", name: 水沢の秋まつり, say: "今日は、水沢の秋まつりの日です。"}\n'
    "questions:\n"
    "  - {id: jimoto_hana, kind: 地元, ask: この町の花は、何でしょう。, "
    "choices: [さくら, つばき], answer: さくら, also: [桜]}\n"
)


def make_version(version: int = 2, **changes) -> ConfigVersion:
    values = {
        "kind": ConfigKind.QUESTION_SET,
        "municipality_code": MUNICIPALITY_CODE,
        "version": version,
        "text": f"version: {version}\n# 朝の質問\n",
        "published_by": "staff:user-3",
        "published_at": jst(hour=9, minute=version),
    }
    values.update(changes)
    return ConfigVersion(**values)


class TestConfigVersions:
    def test_a_version_reads_back_as_stored_with_its_text_intact(self, uow_factory) -> None:
        with uow_factory() as uow:
            seed(uow)
            uow.config_versions.add(make_version(2))
            uow.commit()
        with uow_factory() as uow:
            found = uow.config_versions.get(ConfigKind.QUESTION_SET, MUNICIPALITY_CODE, 2)
        assert found == make_version(2)
        assert found.published_at.utcoffset() is not None

    def test_the_same_version_twice_is_a_conflict_and_the_first_stays(self, uow_factory) -> None:
        with uow_factory() as uow:
            seed(uow)
            uow.config_versions.add(make_version(2))
            uow.commit()
        with uow_factory() as uow:
            with pytest.raises(Conflict):
                uow.config_versions.add(make_version(2, text="other"))
            uow.commit()
        with uow_factory() as uow:
            assert uow.config_versions.latest(ConfigKind.QUESTION_SET, MUNICIPALITY_CODE).text == (
                make_version(2).text
            )

    def test_a_version_for_an_unknown_municipality_is_not_found(self, uow_factory) -> None:
        with uow_factory() as uow:
            seed(uow)
            with pytest.raises(NotFound):
                uow.config_versions.add(make_version(2, municipality_code="999999"))

    def test_latest_and_history_are_per_kind_and_municipality_newest_first(
        self, uow_factory
    ) -> None:
        with uow_factory() as uow:
            seed(uow)
            uow.municipalities.add(make_municipality(OTHER_MUNICIPALITY_CODE))
            for n in (2, 3, 10):
                uow.config_versions.add(make_version(n))
            uow.config_versions.add(make_version(4, kind=ConfigKind.POLICY))
            uow.config_versions.add(make_version(7, municipality_code=OTHER_MUNICIPALITY_CODE))
            uow.commit()
        with uow_factory() as uow:
            versions = uow.config_versions
            history = versions.list_for(ConfigKind.QUESTION_SET, MUNICIPALITY_CODE)
            latest = versions.latest(ConfigKind.QUESTION_SET, MUNICIPALITY_CODE)
            policy = versions.latest(ConfigKind.POLICY, MUNICIPALITY_CODE)
            heads = versions.latest_all(ConfigKind.QUESTION_SET)
            none = versions.latest(ConfigKind.POLICY, OTHER_MUNICIPALITY_CODE)
        assert [v.version for v in history] == [10, 3, 2]
        assert latest.version == 10
        assert policy.version == 4
        assert [(v.municipality_code, v.version) for v in heads] == [
            (MUNICIPALITY_CODE, 10),
            (OTHER_MUNICIPALITY_CODE, 7),
        ]
        assert none is None

    def test_nothing_is_kept_when_the_unit_is_not_committed(self, uow_factory) -> None:
        with uow_factory() as uow:
            seed(uow)
            uow.commit()
        with uow_factory() as uow:
            uow.config_versions.add(make_version(2))
        with uow_factory() as uow:
            assert uow.config_versions.list_for(ConfigKind.QUESTION_SET, MUNICIPALITY_CODE) == []

    def test_each_kind_keeps_its_own_versions_and_head_for_a_municipality(
        self, uow_factory
    ) -> None:
        with uow_factory() as uow:
            seed(uow)
            for n, kind in enumerate(ConfigKind, start=2):
                uow.config_versions.add(make_version(n, kind=kind, text=f"# {kind.value}\n"))
            uow.commit()
        with uow_factory() as uow:
            versions = uow.config_versions
            heads = {kind: versions.latest(kind, MUNICIPALITY_CODE) for kind in ConfigKind}
            listed = {kind: versions.list_for(kind, MUNICIPALITY_CODE) for kind in ConfigKind}
            engagement_heads = versions.latest_all(ConfigKind.ENGAGEMENT)
        assert {kind: (v.kind, v.text) for kind, v in heads.items()} == {
            kind: (kind, f"# {kind.value}\n") for kind in ConfigKind
        }
        assert all(len(found) == 1 for found in listed.values())
        assert [v.kind for v in engagement_heads] == [ConfigKind.ENGAGEMENT]

    def test_a_published_engagement_round_trips_to_the_services_engagement(
        self, uow_factory
    ) -> None:
        with uow_factory() as uow:
            seed(uow)
            uow.config_versions.add(
                make_version(2, kind=ConfigKind.ENGAGEMENT, text=ENGAGEMENT_TEXT)
            )
            uow.commit()
        with uow_factory() as uow:
            stored = uow.config_versions.latest(ConfigKind.ENGAGEMENT, MUNICIPALITY_CODE)
        assert stored == make_version(2, kind=ConfigKind.ENGAGEMENT, text=ENGAGEMENT_TEXT)
        services = bootstrap(IsolatedSettings(), uow=uow_factory)
        found = services.engagement(MUNICIPALITY_CODE)
        assert found.enabled
        assert found.days[0].say == "今日は、水沢の秋まつりの日です。"
        assert found.question("jimoto_hana").also == ("桜",)
        assert found.days[1:] == load_calendar().days  # then the shipped calendar
