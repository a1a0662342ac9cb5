-- One database per service (each service owns its tables; none reads another's database).
-- Run by the postgres image's entrypoint as POSTGRES_USER, once, when the data directory is
-- empty; the services' Alembic migrations create the tables at start-up.
-- Keep this list in step with the *_DATABASE_URL settings in docker-compose.yml
-- (tests/test_deploy.py checks it).
CREATE DATABASE units;
CREATE DATABASE disclosure;
CREATE DATABASE feedback;
CREATE DATABASE notify;
CREATE DATABASE supervision;
