from tests.contracts.conftest import accepted_quotation, customer, make_quotation, pump, quoting_alice  # noqa: F401 - fixtures
