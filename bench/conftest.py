import logging

from tests.conftest import *  # the same personas and fixtures as the tests

# the benchmarks log in thousands of times: django-axes's line for each login would bury the figures they print
logging.getLogger("axes").setLevel(logging.WARNING)
