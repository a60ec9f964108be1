"""The suite's own scheduling: the Docker tests are one unit for pytest-xdist (tests/conftest.py)."""

from pathlib import Path

import pytest

from tests.conftest import DOCKER_MODULES, ROOT, docker_unit, pytest_collection_modifyitems


def test_every_docker_module_is_one_unit_and_other_tests_are_their_own() -> None:
    assert {docker_unit(f"{m}::test_x[2]") for m in DOCKER_MODULES} == {"docker"}
    assert docker_unit("tests/gates/test_runner.py::test_x") == "tests/gates/test_runner.py::test_x"
    assert docker_unit("tests/drills/test_docker_like.py::test_x") != "docker"


def test_the_docker_modules_exist() -> None:
    assert all((ROOT / m).is_file() for m in DOCKER_MODULES), sorted(
        m for m in DOCKER_MODULES if not (ROOT / Path(m)).is_file()
    )


class _Item:
    def __init__(self, where: str, docker: bool) -> None:
        self.path, self.nodeid, self._docker = ROOT / where, f"{where}::test_x", docker

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "docker" and self._docker else None

    def add_marker(self, marker: object) -> None:
        pass


def test_a_docker_test_outside_the_list_or_a_unit_test_inside_it_stops_collection() -> None:
    pytest_collection_modifyitems([_Item("tests/drills/test_suite_docker.py", True)])  # type: ignore[list-item]
    with pytest.raises(pytest.UsageError, match="DOCKER_MODULES"):
        pytest_collection_modifyitems([_Item("tests/gates/test_runner.py", True)])  # type: ignore[list-item]
    with pytest.raises(pytest.UsageError, match="DOCKER_MODULES"):
        pytest_collection_modifyitems([_Item("tests/drills/test_suite_docker.py", False)])  # type: ignore[list-item]
