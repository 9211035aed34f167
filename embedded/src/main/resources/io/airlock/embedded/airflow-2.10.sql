-- Airflow 2.10 metadata tables watched by Airlock (PostgreSQL), as created by
-- `airflow db migrate` (airflow/models/log.py, airflow/models/dagrun.py) and the
-- Flask-AppBuilder security models (ab_user, ab_role, ab_user_role).
-- Only the tables Airlock captures; foreign keys to tables outside this set are omitted.

CREATE TABLE log (
    id                 SERIAL PRIMARY KEY,
    dttm               TIMESTAMP WITH TIME ZONE,
    dag_id             VARCHAR(250),
    task_id            VARCHAR(250),
    map_index          INTEGER,
    event              VARCHAR(60),
    execution_date     TIMESTAMP WITH TIME ZONE,
    run_id             VARCHAR(250),
    owner              VARCHAR(500),
    owner_display_name VARCHAR(500),
    extra              TEXT,
    try_number         INTEGER
);
CREATE INDEX idx_log_dttm ON log (dttm);
CREATE INDEX idx_log_event ON log (event);
CREATE INDEX idx_log_task_instance ON log (dag_id, task_id, run_id, map_index, try_number);

CREATE TABLE dag_run (
    id                       SERIAL PRIMARY KEY,
    dag_id                   VARCHAR(250) NOT NULL,
    queued_at                TIMESTAMP WITH TIME ZONE,
    execution_date           TIMESTAMP WITH TIME ZONE NOT NULL,
    start_date               TIMESTAMP WITH TIME ZONE,
    end_date                 TIMESTAMP WITH TIME ZONE,
    state                    VARCHAR(50),
    run_id                   VARCHAR(250) NOT NULL,
    creating_job_id          INTEGER,
    external_trigger         BOOLEAN,
    run_type                 VARCHAR(50) NOT NULL,
    conf                     BYTEA,
    data_interval_start      TIMESTAMP WITH TIME ZONE,
    data_interval_end        TIMESTAMP WITH TIME ZONE,
    last_scheduling_decision TIMESTAMP WITH TIME ZONE,
    dag_hash                 VARCHAR(32),
    log_template_id          INTEGER,
    updated_at               TIMESTAMP WITH TIME ZONE,
    clear_number             INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT dag_run_dag_id_execution_date_key UNIQUE (dag_id, execution_date),
    CONSTRAINT dag_run_dag_id_run_id_key UNIQUE (dag_id, run_id)
);
CREATE INDEX dag_id_state ON dag_run (dag_id, state);
CREATE INDEX idx_dag_run_dag_id ON dag_run (dag_id);
CREATE INDEX idx_last_scheduling_decision ON dag_run (last_scheduling_decision);
CREATE INDEX idx_dag_run_running_dags ON dag_run (state, dag_id) WHERE state = 'running';
CREATE INDEX idx_dag_run_queued_dags ON dag_run (state, dag_id) WHERE state = 'queued';

CREATE TABLE ab_role (
    id   SERIAL PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    CONSTRAINT ab_role_name_uq UNIQUE (name)
);

CREATE TABLE ab_user (
    id               SERIAL PRIMARY KEY,
    first_name       VARCHAR(256) NOT NULL,
    last_name        VARCHAR(256) NOT NULL,
    username         VARCHAR(512) NOT NULL,
    password         VARCHAR(256),
    active           BOOLEAN,
    email            VARCHAR(512) NOT NULL,
    last_login       TIMESTAMP WITHOUT TIME ZONE,
    login_count      INTEGER,
    fail_login_count INTEGER,
    created_on       TIMESTAMP WITHOUT TIME ZONE,
    changed_on       TIMESTAMP WITHOUT TIME ZONE,
    created_by_fk    INTEGER REFERENCES ab_user (id),
    changed_by_fk    INTEGER REFERENCES ab_user (id),
    CONSTRAINT ab_user_username_uq UNIQUE (username),
    CONSTRAINT ab_user_email_uq UNIQUE (email)
);

CREATE TABLE ab_user_role (
    id      SERIAL PRIMARY KEY,
    user_id INTEGER REFERENCES ab_user (id),
    role_id INTEGER REFERENCES ab_role (id),
    CONSTRAINT ab_user_role_user_id_role_id_uq UNIQUE (user_id, role_id)
);

INSERT INTO ab_role (name) VALUES ('Admin'), ('Public'), ('Viewer'), ('User'), ('Op');
