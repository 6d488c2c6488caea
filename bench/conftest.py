from tests.conftest import *  # noqa: F401,F403 - the same personas and fixtures as the tests
