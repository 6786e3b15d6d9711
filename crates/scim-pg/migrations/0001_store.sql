-- scim-pg's store: plans, their steps, the workers' runs, and the shared rate budget.
-- Applied once, in a transaction, by Store::connect (the version is recorded in
-- scim_pg.migrations). Every time in these tables is the database's clock.

-- One plan per target (the provider's base URL) and plan digest.
CREATE TABLE scim_pg.plans (
    id           bigserial PRIMARY KEY,
    target       text        NOT NULL,
    digest       text        NOT NULL,
    profile      text        NOT NULL,
    -- The plan's JSON, as scim-sync wrote it (text: kept byte for byte).
    body         text        NOT NULL,
    state        text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'refused')),
    -- Why a worker's checks refused it (ownership, rails, state changed).
    refusal      text,
    submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (target, digest)
);

-- One row per step of a plan.
CREATE TABLE scim_pg.steps (
    plan_id     bigint      NOT NULL REFERENCES scim_pg.plans (id) ON DELETE CASCADE,
    idx         integer     NOT NULL,
    kind        text        NOT NULL,
    -- scim_sync::apply::phase: no step of phase N+1 is claimed while one of
    -- phase <= N is ready or claimed.
    phase       smallint    NOT NULL,
    -- The step's place among the plan's steps of its kind: claims take the
    -- kinds in turn, so every rate class of the provider drains at once.
    lane_rank   integer     NOT NULL,
    -- The resource it writes; one claimed step per resource at a time.
    resource    text        NOT NULL,
    state       text        NOT NULL DEFAULT 'ready'
                            CHECK (state IN ('ready', 'claimed', 'done', 'failed')),
    ready_at    timestamptz NOT NULL DEFAULT '-infinity',
    -- Claims so far: above 1, an earlier attempt may have written.
    attempts    integer     NOT NULL DEFAULT 0,
    owner       text,
    lease_until timestamptz,
    outcome     jsonb,
    created_id  text,
    error       text,
    done_at     timestamptz,
    PRIMARY KEY (plan_id, idx)
);

CREATE UNIQUE INDEX steps_one_claim_per_resource
    ON scim_pg.steps (plan_id, resource) WHERE state = 'claimed';
CREATE INDEX steps_pending
    ON scim_pg.steps (plan_id, phase, lane_rank) WHERE state IN ('ready', 'claimed');

-- A worker's service of one plan: when it began, what it ended.
CREATE TABLE scim_pg.runs (
    id         bigserial   PRIMARY KEY,
    plan_id    bigint      NOT NULL REFERENCES scim_pg.plans (id) ON DELETE CASCADE,
    worker     text        NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at   timestamptz,
    done       integer     NOT NULL DEFAULT 0,
    failed     integer     NOT NULL DEFAULT 0,
    released   integer     NOT NULL DEFAULT 0,
    -- Outcomes that came after the lease was lost (another worker had the step).
    lost       integer     NOT NULL DEFAULT 0
);

-- Every claim and end of a step, in order: the run history.
CREATE TABLE scim_pg.step_events (
    id      bigserial   PRIMARY KEY,
    plan_id bigint      NOT NULL,
    idx     integer     NOT NULL,
    run_id  bigint      NOT NULL REFERENCES scim_pg.runs (id) ON DELETE CASCADE,
    attempt integer     NOT NULL,
    event   text        NOT NULL
                        CHECK (event IN ('claimed', 'reclaimed', 'done', 'failed', 'released', 'lost')),
    detail  text,
    at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX step_events_by_step ON scim_pg.step_events (plan_id, idx);

-- The shared rate budget: one GCRA cell per rule of a provider's rate table,
-- keyed by the provider's base URL. `tat` is the theoretical arrival time.
CREATE TABLE scim_pg.rate_cells (
    target text        NOT NULL,
    rule   text        NOT NULL,
    tat    timestamptz NOT NULL DEFAULT 'epoch',
    PRIMARY KEY (target, rule)
);
