from tests.conftest import *  # the same personas and fixtures as the tests
