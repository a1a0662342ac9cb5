"""One cluster for the two modules that check the contract integrators build on
(tests/gateway/api/test_generated_client.py and test_openapi_answers.py), for the session: every
service its own process on SQLite, the sample county, the demo accounts and the sample
catalogue and plan loaded, rate limits off, as each started before for itself. Neither counts
what the other makes: the generated client's clerk finds its own feedback by tracking code and
drafts under its own title, and the answers' module finds its drafts by theirs; the second
gateway the answers' module starts is ended with the cluster."""
import pytest

from tests.clusters import DEMO_ACCOUNTS, SAMPLE, running_county


@pytest.fixture(scope="session")
def contract_county(tmp_path_factory, sqlite_templates):
    with running_county(tmp_path_factory.mktemp("contract"), sqlite_templates,
                        loaders=(SAMPLE, DEMO_ACCOUNTS, "services.disclosure.load_sample"),
                        env={"RATE_LIMITS_ENABLED": "false"}) as running:
        yield running
