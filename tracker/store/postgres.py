"""The server backend: the same ``Repository`` on a PostgreSQL server, through psycopg 3.

Loaded only for a ``postgresql://`` (or ``postgres://``) location, so commands on a file
never import psycopg. The tables live in the schema ``tracker``:

- ``meta``: one row with the schema version and the last event ``seq`` and ``step``;
- ``plans`` and ``items``: one row each, in columns; ``items`` has the primary key
  (plan, ref) and an index on (plan, position), so one plan or one item is read alone;
- ``events``: the journal, each event as JSON text (``json`` keeps the key order) beside
  indexed columns (seq, step, id, plan) that filter it in SQL. Its ``actor`` column is
  stamped with ``current_user`` by a trigger, so nobody can record a change under another
  name (the tables' owner excepted, which ``tracker copy`` needs to keep a journal whole).

One command is one transaction. A writer starts by locking the meta row
(``SELECT … FOR UPDATE``): writers queue there (up to ``TRACKER_LOCK_TIMEOUT``, then
Busy), which also serialises the seq and step numbers the journal hands out, so no update
is lost and refs stay unique. A reader reads one REPEATABLE READ, READ ONLY snapshot.
Writes to plans and items go to the server at once, inside the transaction; events are
sent together at commit. What a command has read or written of single plans and items is
kept for the rest of it (nothing else can change it meanwhile), so an import asks the
server once per row, not three times. Every statement is parametrised.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, NoReturn

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from tracker import jsonio
from tracker.domain import EVENT_KEYS, Item, Plan, StatusSums, whole
from tracker.errors import Busy, InvalidValue, StoreError, TrackerError
from tracker.i18n import _
from tracker.store import Repository, matches

SCHEMA_VERSION = 8

# Each entry brings the schema from the version before it to its own version, in one
# transaction (``db init``). Version 1 creates everything.
MIGRATIONS: dict[int, str] = {
    1: """
CREATE SCHEMA IF NOT EXISTS tracker;
CREATE SEQUENCE tracker.position;
CREATE TABLE tracker.meta (
    id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    schema_version int NOT NULL,
    last_seq bigint NOT NULL DEFAULT 0,
    last_step bigint NOT NULL DEFAULT 0
);
CREATE TABLE tracker.plans (
    id text PRIMARY KEY,
    position bigint NOT NULL DEFAULT nextval('tracker.position'),
    title text NOT NULL,
    org text NOT NULL DEFAULT '',
    start date,
    "end" date,
    source text NOT NULL DEFAULT '',
    created date
);
CREATE TABLE tracker.items (
    plan text NOT NULL REFERENCES tracker.plans (id) ON DELETE CASCADE,
    ref text NOT NULL,
    position bigint NOT NULL DEFAULT nextval('tracker.position'),
    title text NOT NULL,
    status text NOT NULL,
    reason text NOT NULL DEFAULT '',
    owners text[] NOT NULL DEFAULT '{}',
    area text NOT NULL DEFAULT '',
    due date,
    weight double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
    evidence text NOT NULL DEFAULT '',
    created date,
    updated date,
    PRIMARY KEY (plan, ref)
);
CREATE INDEX items_by_plan ON tracker.items (plan, position);
CREATE TABLE tracker.events (
    seq bigint PRIMARY KEY,
    step bigint NOT NULL,
    id text NOT NULL,
    plan text NOT NULL,
    effective text NOT NULL,
    action text NOT NULL,
    actor text NOT NULL DEFAULT current_user,
    event json NOT NULL
);
CREATE INDEX events_by_plan ON tracker.events (plan, seq);
CREATE INDEX events_by_id ON tracker.events (id, seq);
CREATE INDEX events_by_step ON tracker.events (step);
CREATE FUNCTION tracker.stamp_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The journal names the role that made the change. Only the tables' owner (who ran
    -- 'tracker db init') may write other names: 'tracker copy' keeps a journal whole.
    IF NOT pg_has_role(current_user,
                       (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        NEW.actor := current_user;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER stamp_actor BEFORE INSERT ON tracker.events
    FOR EACH ROW EXECUTE FUNCTION tracker.stamp_actor();
INSERT INTO tracker.meta (id, schema_version) VALUES (1, 1);
""",
    # Deadlines are periods (2023-Q4, 2023..2024, ongoing…), not only days: text in the
    # canonical form, a day written as before (YYYY-MM-DD).
    2: """
ALTER TABLE tracker.items ALTER COLUMN due TYPE text USING to_char(due, 'YYYY-MM-DD');
""",
    # What the journal says of an item's deadlines and status (``domain.DERIVED_KEYS``),
    # kept beside it; ``_derive_control`` fills them from the journal's fold.
    3: """
ALTER TABLE tracker.items ADD COLUMN due_original text,
    ADD COLUMN moves json NOT NULL DEFAULT '[]',
    ADD COLUMN status_since date;
UPDATE tracker.items SET due_original = due, status_since = updated;
""",
    # Files kept with the database, by their SHA-256 (a published report's snapshot);
    # the roles that read or write the journal read or add them too.
    4: """
CREATE TABLE tracker.files (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size bigint NOT NULL,
    data bytea NOT NULL
);
DO $$
DECLARE grant_ record;
BEGIN
    FOR grant_ IN SELECT DISTINCT grantee, privilege_type FROM information_schema.role_table_grants
                  WHERE table_schema = 'tracker' AND table_name = 'events'
                  AND privilege_type IN ('SELECT', 'INSERT')
                  AND grantee <> (SELECT tableowner FROM pg_tables
                                  WHERE schemaname = 'tracker' AND tablename = 'events')
    LOOP
        EXECUTE format('GRANT %s ON tracker.files TO %I', grant_.privilege_type,
                       grant_.grantee);
    END LOOP;
END $$;
""",
    # Rights per executor (SPEC §15): a role listed in ``rights`` acts for those executors
    # and may change only the status, reason and evidence of their items, answer rounds
    # and attach files for them; row-level security enforces it on the server, for psql
    # as for tracker. A role not listed (the secretariat, a writer, a reader) is as before;
    # the tables' owner is not subject to the policies.
    5: """
CREATE TABLE tracker.rights (
    role text NOT NULL,
    executor text NOT NULL,
    PRIMARY KEY (role, executor)
);
-- Run with the caller's rights (a definer's would see the owner as current_user); every
-- role that reads the tables reads this one.
CREATE FUNCTION tracker.acting_for() RETURNS text[] LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp AS $$
    SELECT array_agg(executor ORDER BY executor) FROM tracker.rights WHERE role = current_user
$$;
ALTER TABLE tracker.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_read ON tracker.items FOR SELECT USING (true);
CREATE POLICY items_add ON tracker.items FOR INSERT WITH CHECK (tracker.acting_for() IS NULL);
CREATE POLICY items_change ON tracker.items FOR UPDATE
    USING (tracker.acting_for() IS NULL OR owners && tracker.acting_for())
    WITH CHECK (tracker.acting_for() IS NULL OR owners && tracker.acting_for());
CREATE POLICY items_remove ON tracker.items FOR DELETE USING (tracker.acting_for() IS NULL);
ALTER TABLE tracker.plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY plans_read ON tracker.plans FOR SELECT USING (true);
CREATE POLICY plans_write ON tracker.plans FOR ALL
    USING (tracker.acting_for() IS NULL) WITH CHECK (tracker.acting_for() IS NULL);
ALTER TABLE tracker.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_read ON tracker.events FOR SELECT USING (true);
CREATE POLICY events_add ON tracker.events FOR INSERT WITH CHECK (
    tracker.acting_for() IS NULL OR (
        action IN ('update', 'answer', 'attach')
        AND (event::jsonb -> 'changes') - ARRAY['status', 'reason', 'evidence', 'updated']
            = '{}'::jsonb
        AND EXISTS (SELECT 1 FROM tracker.items i
                    WHERE i.plan = events.plan AND events.id = i.plan || ':' || i.ref
                    AND i.owners && tracker.acting_for())));
DO $$
DECLARE grant_ record;
BEGIN
    FOR grant_ IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                  WHERE table_schema = 'tracker' AND table_name = 'events'
                  AND privilege_type = 'SELECT'
                  AND grantee <> (SELECT tableowner FROM pg_tables
                                  WHERE schemaname = 'tracker' AND tablename = 'events')
    LOOP
        EXECUTE format('GRANT SELECT ON tracker.rights TO %I', grant_.grantee);
    END LOOP;
END $$;
""",
    # The server checks what rights alone could not (a check of what every role but the
    # tables' owner writes, so that psql cannot do what tracker refuses):
    # - a journal event is whole (the keys every reader needs, its columns repeating its
    #   JSON) and next in line (seq after the last; a step after the last, or the last one
    #   when this transaction began it), and ``meta`` counts it: no role but the owner
    #   writes the counters;
    # - a role acting for executors writes only its executors' events (status, reason and
    #   evidence, their answers, files, an undo of its own step, the amendment its change
    #   makes), and changes an item only with the journal event that says so;
    # - a kept file's bytes match the SHA-256 it is kept by;
    # - a role acts for the executors of every role it has the rights of (a person's login
    #   role granted 'mfa_focal'), not only of its own name; a superuser, the owner and a
    #   writer act for none;
    # - an executor's item change is checked at commit against the values its transaction
    #   found (``items_before``) and those its step's events give.
    6: """
CREATE OR REPLACE FUNCTION tracker.acting_for() RETURNS text[] LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                  OR pg_has_role(current_user, (SELECT relowner FROM pg_class
                                                WHERE oid = 'tracker.items'::regclass),
                                 'MEMBER')
                  -- a writer ('db init --grant-write'), through any of its roles
                  OR has_table_privilege(current_user, 'tracker.items', 'INSERT')
           THEN NULL
           ELSE (SELECT array_agg(DISTINCT r.executor ORDER BY r.executor)
                 FROM tracker.rights r JOIN pg_roles g ON g.rolname = r.role
                 WHERE pg_has_role(current_user, g.oid, 'USAGE')) END
$$;
ALTER TABLE tracker.meta ADD COLUMN last_xact xid8;
-- (a temporary table named pg_class must not stand in for the catalogue's)
ALTER FUNCTION tracker.stamp_actor() SET search_path = pg_catalog, pg_temp;
ALTER TABLE tracker.items ADD CONSTRAINT items_status CHECK (status IN ('not-started',
    'in-progress', 'stalled', 'fulfilled', 'partial', 'not-fulfilled', 'withdrawn')) NOT VALID;
-- An item's values before this transaction changed them (check_item_journaled's, then gone).
CREATE UNLOGGED TABLE tracker.items_before (
    xact xid8 NOT NULL, plan text NOT NULL, ref text NOT NULL, row_ jsonb NOT NULL,
    PRIMARY KEY (xact, plan, ref));
CREATE FUNCTION tracker.keep_item_before() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM tracker.items_before  -- of transactions that are over
    WHERE xact < pg_snapshot_xmin(pg_current_snapshot());
    INSERT INTO tracker.items_before VALUES (pg_current_xact_id(), OLD.plan, OLD.ref,
                                             to_jsonb(OLD)) ON CONFLICT DO NOTHING;
    RETURN NEW;
END $$;
GRANT SELECT ON tracker.items_before TO PUBLIC;  -- (old values of rows they read anyway)
-- Another executor's row is not left out of an UPDATE (UPDATE 0): the write fails.
ALTER POLICY items_change ON tracker.items USING (true);
-- What an executor's event may be is checked by check_events, with a message that says why.
ALTER POLICY events_add ON tracker.events WITH CHECK (
    tracker.acting_for() IS NULL
    OR action IN ('update', 'answer', 'attach', 'detach', 'undo', 'amend'));
ALTER TABLE tracker.files ADD CONSTRAINT files_content
    CHECK (encode(sha256(data), 'hex') = sha256 AND size = octet_length(data)) NOT VALID;
-- Set-based, once a statement (tracker writes a command's events in one INSERT).
CREATE FUNCTION tracker.check_events() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m record;
    span record;
    bad record;
    acting text[];
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID),
                   'MEMBER') THEN
        RETURN NULL;  -- the owner: 'tracker copy' loads a journal whole
    END IF;
    -- The first event that is not whole, and how (one pass: each test only of an event
    -- that passed the ones before it).
    FOR bad IN SELECT * FROM (
        SELECT a.seq, a.action, a.effective, x.needs, CASE
            WHEN NOT coalesce(jsonb_typeof(x.e) = 'object'
                AND x.e ?& ARRAY['seq', 'at', 'actor', 'effective', 'id', 'action', 'changes',
                                 'reason', 'note', 'step']
                AND jsonb_typeof(x.e -> 'seq') = 'number'
                AND jsonb_typeof(x.e -> 'step') = 'number'
                AND jsonb_typeof(x.e -> 'changes') = 'object'
                AND jsonb_typeof(x.e -> 'id') = 'string'
                AND jsonb_typeof(x.e -> 'action') = 'string'
                AND jsonb_typeof(x.e -> 'at') = 'string'
                AND jsonb_typeof(x.e -> 'reason') = 'string'
                AND jsonb_typeof(x.e -> 'note') = 'string', false) THEN 'shape'
            WHEN x.e ->> 'seq' <> a.seq::text OR x.e ->> 'step' <> a.step::text
                OR x.e ->> 'id' <> a.id OR x.e ->> 'action' <> a.action
                OR x.e ->> 'effective' IS DISTINCT FROM a.effective
                OR a.plan <> split_part(a.id, ':', 1) THEN 'columns'
            WHEN a.effective !~ '^\\d{4}-\\d{2}-\\d{2}$'
                OR to_char(to_date(a.effective, 'YYYY-MM-DD'), 'YYYY-MM-DD') <> a.effective
                THEN 'day'
            WHEN EXISTS (SELECT 1 FROM jsonb_each(x.e -> 'changes') c
                         WHERE jsonb_typeof(c.value) <> 'array'
                         OR jsonb_array_length(c.value) <> 2) THEN 'changes'
            WHEN NOT x.e ?& x.needs THEN 'needs'
            WHEN CASE a.action
                WHEN 'attach' THEN NOT coalesce(jsonb_typeof(x.e -> 'name') = 'string'
                    AND x.e ->> 'sha256' ~ '^[0-9a-f]{64}$'
                    AND jsonb_typeof(x.e -> 'size') = 'number'
                    AND x.e ->> 'size' ~ '^[0-9]+$', false)
                WHEN 'detach' THEN NOT coalesce(jsonb_typeof(x.e -> 'name') = 'string'
                    AND x.e ->> 'sha256' ~ '^[0-9a-f]{64}$', false)
                WHEN 'answer' THEN NOT coalesce(jsonb_typeof(x.e -> 'round') = 'string'
                    AND jsonb_typeof(x.e -> 'executor') = 'string'
                    AND jsonb_typeof(x.e -> 'answer') = 'object'
                    AND NOT EXISTS (SELECT 1 FROM jsonb_each(x.e -> 'answer') v
                        WHERE v.key NOT IN ('status', 'reason', 'evidence')
                        OR jsonb_typeof(v.value) <> 'string')
                    AND coalesce(x.e -> 'answer' ->> 'status', 'fulfilled') IN (
                        'not-started', 'in-progress', 'stalled', 'fulfilled', 'partial',
                        'not-fulfilled', 'withdrawn'), false)
                WHEN 'return' THEN NOT coalesce(jsonb_typeof(x.e -> 'round') = 'string'
                    AND jsonb_typeof(x.e -> 'executor') = 'string', false)
                WHEN 'undo' THEN NOT coalesce(x.e ->> 'undoes' ~ '^[0-9]+$', false)
                ELSE false END THEN 'payload'
            WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(x.e -> 'changes' -> 'status') v
                         WHERE v <> 'null' AND NOT coalesce(jsonb_typeof(v) = 'string'
                                                            AND v #>> '{}' IN (
                             'not-started', 'in-progress', 'stalled', 'fulfilled', 'partial',
                             'not-fulfilled', 'withdrawn'), false)) THEN 'status'
            WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(x.e -> 'changes' -> 'updated') v
                         WHERE v <> 'null' AND NOT coalesce(
                             v #>> '{}' ~ '^\\d{4}-\\d{2}-\\d{2}$', false)) THEN 'updated'
            END AS problem
        FROM added a, LATERAL (SELECT a.event::jsonb, CASE a.action
            WHEN 'attach' THEN ARRAY['name', 'sha256', 'size']
            WHEN 'detach' THEN ARRAY['name', 'sha256']
            WHEN 'answer' THEN ARRAY['round', 'executor', 'answer']
            WHEN 'return' THEN ARRAY['round', 'executor']
            WHEN 'round-open' THEN ARRAY['round']
            WHEN 'round-close' THEN ARRAY['round']
            WHEN 'publish' THEN ARRAY['published', 'sha256']
            WHEN 'amend' THEN ARRAY['published', 'before', 'after']
            WHEN 'undo' THEN ARRAY['undoes']
            WHEN 'executor' THEN ARRAY['executor']
            ELSE ARRAY[]::text[] END) x(e, needs)) checked
        WHERE problem IS NOT NULL ORDER BY seq LIMIT 1 LOOP
        IF bad.problem = 'shape' THEN
            RAISE EXCEPTION 'tracker: event % is not a journal event (an object with seq, at, '
                'actor, effective, id, action, changes, reason, note and step)', bad.seq
                USING ERRCODE = 'check_violation';
        ELSIF bad.problem = 'columns' THEN
            RAISE EXCEPTION 'tracker: the columns of event % (seq, step, id, plan, action, '
                'effective) must repeat its JSON', bad.seq USING ERRCODE = 'check_violation';
        ELSIF bad.problem = 'day' THEN
            RAISE EXCEPTION 'tracker: event % has no day (effective YYYY-MM-DD): %', bad.seq,
                bad.effective USING ERRCODE = 'check_violation';
        ELSIF bad.problem = 'changes' THEN
            RAISE EXCEPTION 'tracker: event % changes a field not from one value to another '
                '([before, after])', bad.seq USING ERRCODE = 'check_violation';
        ELSIF bad.problem = 'needs' THEN
            RAISE EXCEPTION 'tracker: a % event needs %; event % has not', bad.action,
                array_to_string(bad.needs, ', '), bad.seq USING ERRCODE = 'check_violation';
        ELSIF bad.problem = 'updated' THEN
            RAISE EXCEPTION 'tracker: event % changes updated to what is not a day', bad.seq
                USING ERRCODE = 'check_violation';
        ELSIF bad.problem = 'status' THEN
            RAISE EXCEPTION 'tracker: event % gives a status tracker does not know', bad.seq
                USING ERRCODE = 'check_violation';
        ELSE
            RAISE EXCEPTION 'tracker: the % of event % are not what a % event holds '
                '(a file''s name, SHA-256 and size; an answer''s round, executor and its '
                'status, reason and evidence as text)', array_to_string(bad.needs, ', '),
                bad.seq, bad.action USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    -- Next in line: meta counts what came before this statement (count_events, after).
    SELECT last_seq, last_step, last_xact INTO m FROM tracker.meta WHERE id = 1;
    SELECT min(seq) AS first, max(seq) AS last, count(*) AS n, min(step) AS low,
           max(step) AS high INTO span FROM added;
    IF span.first <> m.last_seq + 1 OR span.last <> m.last_seq + span.n THEN
        RAISE EXCEPTION 'tracker: the events written must be numbered from % on, one after '
            'another (these are % to %, % of them)', m.last_seq + 1, span.first, span.last,
            span.n USING ERRCODE = 'check_violation';
    END IF;
    IF span.high <> m.last_step + 1 AND NOT (span.high = m.last_step
                                            AND m.last_xact = pg_current_xact_id())
       OR span.low <> span.high THEN
        RAISE EXCEPTION 'tracker: the events % to % must be of step % (step % is done)',
            span.first, span.last, m.last_step + 1, m.last_step
            USING ERRCODE = 'check_violation';
    END IF;
    acting := tracker.acting_for();
    IF acting IS NULL THEN
        RETURN NULL;
    END IF;
    -- A role acting for executors (SPEC 15): its first event it may not write, and why.
    FOR bad IN SELECT * FROM (
        SELECT a.seq, a.id, a.action, x.e ->> 'executor' AS executor, CASE
            WHEN a.action NOT IN ('update', 'answer', 'attach', 'detach', 'undo', 'amend')
                THEN 'action'
            WHEN a.action = 'amend' THEN CASE WHEN a.id LIKE '%:%'
                OR x.e -> 'changes' <> '{}'::jsonb OR NOT EXISTS (
                SELECT 1 FROM tracker.events y WHERE y.step = a.step AND y.plan = a.plan
                AND y.id LIKE '%:%' AND y.actor = current_user) THEN 'amend' END
            WHEN a.action = 'undo' AND a.id NOT LIKE '%:%'  -- (of its amendment)
                AND x.e -> 'changes' <> '{}'::jsonb THEN 'fields'
            WHEN NOT (a.action = 'undo' AND a.id NOT LIKE '%:%') AND NOT EXISTS (
                SELECT 1 FROM tracker.items i WHERE i.plan = a.plan  -- (by its key)
                AND i.ref = substr(a.id, length(a.plan) + 2) AND a.id LIKE '%:%'
                AND i.owners && acting) THEN 'measure'
            WHEN EXISTS (SELECT 1 FROM jsonb_object_keys(x.e -> 'changes') k
                         WHERE k NOT IN ('status', 'reason', 'evidence', 'updated'))
                THEN 'fields'
            WHEN a.action = 'answer' AND NOT coalesce((x.e ->> 'executor') = ANY(acting),
                                                      false) THEN 'answer'
            WHEN a.action = 'undo' AND (jsonb_typeof(x.e -> 'undoes') <> 'number'
                OR EXISTS (SELECT 1 FROM tracker.events y
                           WHERE y.step = (x.e ->> 'undoes')::bigint
                           AND y.actor <> current_user)
                OR NOT EXISTS (SELECT 1 FROM tracker.events y
                               WHERE y.step = (x.e ->> 'undoes')::bigint)) THEN 'undo'
            WHEN NOT coalesce(jsonb_typeof(x.e -> 'acting_for') = 'array'
                AND jsonb_array_length(x.e -> 'acting_for') > 0, false)  -- ('log' says it)
                OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(x.e -> 'acting_for') f
                           WHERE NOT f = ANY(acting)) THEN 'acting_for' END AS problem
        FROM added a, LATERAL (SELECT a.event::jsonb) x(e)) checked
        WHERE problem IS NOT NULL ORDER BY seq LIMIT 1 LOOP
        IF bad.problem = 'action' THEN
            RAISE EXCEPTION 'tracker: role % acts for % and may not write a % event; '
                'nothing was written', current_user, array_to_string(acting, ', '),
                bad.action USING ERRCODE = '42501';
        ELSIF bad.problem = 'amend' THEN
            RAISE EXCEPTION 'tracker: role % may mark an amendment of plan % only in the '
                'step that changes one of its measures; nothing was written', current_user,
                bad.id USING ERRCODE = '42501';
        ELSIF bad.problem = 'measure' THEN
            RAISE EXCEPTION 'tracker: role % acts for % and may not write %: it is not one '
                'of their measures; nothing was written', current_user,
                array_to_string(acting, ', '), bad.id USING ERRCODE = '42501';
        ELSIF bad.problem = 'fields' THEN
            RAISE EXCEPTION 'tracker: role % may change the status, reason and evidence of '
                '%, nothing else; nothing was written', current_user, bad.id
                USING ERRCODE = '42501';
        ELSIF bad.problem = 'answer' THEN
            RAISE EXCEPTION 'tracker: role % acts for %, not for %; nothing was written',
                current_user, array_to_string(acting, ', '), bad.executor
                USING ERRCODE = '42501';
        ELSIF bad.problem = 'undo' THEN
            RAISE EXCEPTION 'tracker: role % may undo only a step of its own; nothing was '
                'written', current_user USING ERRCODE = '42501';
        ELSE
            RAISE EXCEPTION 'tracker: role % acts for %, and event % says otherwise; '
                'nothing was written', current_user, array_to_string(acting, ', '),
                bad.seq USING ERRCODE = '42501';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
-- (before count_events: triggers of a kind fire in the order of their names)
CREATE TRIGGER check_events AFTER INSERT ON tracker.events REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION tracker.check_events();
CREATE FUNCTION tracker.count_events() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE tracker.meta SET last_seq = greatest(last_seq, (SELECT max(seq) FROM added)),
        last_step = greatest(last_step, (SELECT max(step) FROM added)),
        last_xact = pg_current_xact_id()
    WHERE id = 1 AND EXISTS (SELECT 1 FROM added);
    RETURN NULL;
END $$;
CREATE TRIGGER count_events AFTER INSERT ON tracker.events REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION tracker.count_events();
CREATE FUNCTION tracker.check_item_journaled() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    target text := NEW.plan || ':' || NEW.ref;
    m record;
    now_ jsonb;
    was jsonb;
    field text;
BEGIN
    IF tracker.acting_for() IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT last_step, last_xact INTO m FROM tracker.meta WHERE id = 1;
    SELECT to_jsonb(i) INTO now_ FROM tracker.items i WHERE plan = NEW.plan AND ref = NEW.ref;
    SELECT row_ INTO was FROM tracker.items_before
    WHERE xact = pg_current_xact_id() AND plan = NEW.plan AND ref = NEW.ref;
    IF m.last_xact IS DISTINCT FROM pg_current_xact_id() OR NOT EXISTS (
            SELECT 1 FROM tracker.events x WHERE x.step = m.last_step AND x.id = target) THEN
        RAISE EXCEPTION 'tracker: role % changed % without a journal event of the change; '
            'nothing was written', current_user, target USING ERRCODE = '42501';
    END IF;
    -- Each field as it was before this transaction, or as an event of its step gives it
    -- (a day: as an event of the measure is dated).
    FOREACH field IN ARRAY ARRAY['status', 'reason', 'evidence', 'updated', 'status_since']
    LOOP
        IF was IS NULL OR was -> field IS DISTINCT FROM now_ -> field THEN
            IF NOT EXISTS (SELECT 1 FROM tracker.events x WHERE x.id = target
                           AND x.step = m.last_step
                           AND x.event::jsonb -> 'changes' -> field -> 1 = now_ -> field)
               AND NOT (field IN ('updated', 'status_since') AND EXISTS (
                   SELECT 1 FROM tracker.events x WHERE x.id = target
                   AND to_jsonb(x.effective) = now_ -> field)) THEN
                RAISE EXCEPTION 'tracker: role % set the % of % to a value no journal event '
                    'of this step gives it; nothing was written', current_user, field, target
                    USING ERRCODE = '42501';
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
-- (not queued at all for the tables' owner, by name: the secretariat's updates pay nothing;
-- were the tables given to another owner, the function still lets the owner pass)
DO $$
BEGIN
    EXECUTE format('CREATE CONSTRAINT TRIGGER journaled AFTER UPDATE ON tracker.items '
                   'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                   'WHEN (current_user <> %L) '
                   'EXECUTE FUNCTION tracker.check_item_journaled()',
                   (SELECT tableowner FROM pg_tables
                    WHERE schemaname = 'tracker' AND tablename = 'items'));
    EXECUTE format('CREATE TRIGGER keep_before BEFORE UPDATE ON tracker.items FOR EACH ROW '
                   'WHEN (current_user <> %L AND tracker.acting_for() IS NOT NULL) '
                   'EXECUTE FUNCTION tracker.keep_item_before()',
                   (SELECT tableowner FROM pg_tables
                    WHERE schemaname = 'tracker' AND tablename = 'items'));
END $$;
DO $$
DECLARE role_ text;
BEGIN
    FOR role_ IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                 WHERE table_schema = 'tracker' AND table_name = 'meta'
                 AND privilege_type = 'UPDATE'
                 AND grantee <> (SELECT tableowner FROM pg_tables
                                 WHERE schemaname = 'tracker' AND tablename = 'meta') LOOP
        EXECUTE format('REVOKE UPDATE ON tracker.meta FROM %I', role_);
        EXECUTE format('GRANT UPDATE (id) ON tracker.meta TO %I', role_);
    END LOOP;
END $$;
""",
    # The same checks as schema 6, for less of a command's time (each tracker command is a
    # new session, and a session plans each query the first time it runs it):
    # - acting_for() is PL/pgSQL, planned once a session (the SQL function was planned again
    #   in every query that called it: the policies, the triggers), and asks the cheapest
    #   question first (a writer, the owner and a superuser all may INSERT into items);
    # - check_events walks the statement's events one by one with expressions that need no
    #   plan (jsonpath and jsonb operators where schema 6 had subqueries), and runs a query
    #   only where an event needs one (its measure; an undo's step, an amendment's change);
    #   an amendment says for whom it is marked, as every other event of such a role does
    #   (schema 6 let one through that did not);
    #   a day is checked without a regular expression, and to be in its month (psql's
    #   2026-02-30 was refused by a PostgreSQL error, now by the check that says why);
    #   a reason or evidence changes from text to text (or none); a file attached is kept
    #   (its SHA-256 and size in tracker.files); a role acting for executors dates no change
    #   of a measure before the measure was added, answers only a round of the plan, and
    #   changes a measure's status, reason or evidence from what it was before the
    #   transaction to what it is (written after the change it records, as tracker writes
    #   it; a change dated before a later-dated one of the field, or of the status for a
    #   reason, leaves the measure as it was, and so does its undo): a line of psql cannot
    #   make the journal say what the measure is not;
    # - check_item_journaled reads the item with its values before, and its step's events,
    #   in two queries (schema 6: a query a field).
    7: """
CREATE OR REPLACE FUNCTION tracker.acting_for() RETURNS text[] LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- a writer ('db init --grant-write', through any of its roles), the owner, a superuser
    IF has_table_privilege(current_user, 'tracker.items', 'INSERT')
       OR pg_has_role(current_user, (SELECT relowner FROM pg_class
                                     WHERE oid = 'tracker.items'::regclass), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT array_agg(DISTINCT executor ORDER BY executor) FROM tracker.rights
            WHERE pg_has_role(current_user, to_regrole(quote_ident(role)), 'USAGE'));
END $$;
-- Checks of text that a new session does without compiling a regular expression (SQL
-- functions of one expression, which PostgreSQL inlines into the expression calling them).
CREATE FUNCTION tracker.is_day(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN length(t) = 10 AND substr(t, 5, 1) = '-' AND substr(t, 8, 1) = '-'
                     AND translate(t, '0123456789', '') = '--' AND left(t, 4) <> '0000'
        THEN substr(t, 9, 2)::int BETWEEN 1 AND CASE substr(t, 6, 2)::int
            WHEN 2 THEN CASE WHEN left(t, 4)::int % 4 = 0
                             AND (left(t, 4)::int % 100 <> 0 OR left(t, 4)::int % 400 = 0)
                        THEN 29 ELSE 28 END
            WHEN 1 THEN 31 WHEN 3 THEN 31 WHEN 5 THEN 31 WHEN 7 THEN 31 WHEN 8 THEN 31
            WHEN 10 THEN 31 WHEN 12 THEN 31 WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30
            WHEN 11 THEN 30 ELSE 0 END  -- (month 13: no day is in it)
        ELSE false END
$$;
CREATE FUNCTION tracker.is_sha256(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT length(t) = 64 AND ltrim(t, '0123456789abcdef') = ''
$$;
CREATE FUNCTION tracker.is_count(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT t <> '' AND ltrim(t, '0123456789') = ''
$$;
CREATE OR REPLACE FUNCTION tracker.check_events() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a record;
    e jsonb;
    needs text[];
    problem text;
    m record;
    first_ bigint;
    last_ bigint;
    n bigint := 0;
    low bigint;
    high bigint;
    acting text[];
    measure boolean;
    now_ jsonb;
    was jsonb;
    field text;
    statuses constant jsonb[] := ARRAY['"not-started"', '"in-progress"', '"stalled"',
        '"fulfilled"', '"partial"', '"not-fulfilled"', '"withdrawn"']::jsonb[];
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID),
                   'MEMBER') THEN
        RETURN NULL;  -- the owner: 'tracker copy' loads a journal whole
    END IF;
    -- The first event that is not whole, and how (each test only of an event that passed
    -- the ones before it).
    FOR a IN SELECT * FROM added ORDER BY seq LOOP
        e := a.event::jsonb;
        needs := CASE a.action
            WHEN 'attach' THEN ARRAY['name', 'sha256', 'size']
            WHEN 'detach' THEN ARRAY['name', 'sha256']
            WHEN 'answer' THEN ARRAY['round', 'executor', 'answer']
            WHEN 'return' THEN ARRAY['round', 'executor']
            WHEN 'round-open' THEN ARRAY['round']
            WHEN 'round-close' THEN ARRAY['round']
            WHEN 'publish' THEN ARRAY['published', 'sha256']
            WHEN 'amend' THEN ARRAY['published', 'before', 'after']
            WHEN 'undo' THEN ARRAY['undoes']
            WHEN 'executor' THEN ARRAY['executor']
            ELSE ARRAY[]::text[] END;
        problem := CASE
            WHEN NOT coalesce(jsonb_typeof(e) = 'object'
                AND e ?& ARRAY['seq', 'at', 'actor', 'effective', 'id', 'action', 'changes',
                               'reason', 'note', 'step']
                AND jsonb_typeof(e -> 'seq') = 'number'
                AND jsonb_typeof(e -> 'step') = 'number'
                AND jsonb_typeof(e -> 'changes') = 'object'
                AND jsonb_typeof(e -> 'id') = 'string'
                AND jsonb_typeof(e -> 'action') = 'string'
                AND jsonb_typeof(e -> 'at') = 'string'
                AND jsonb_typeof(e -> 'reason') = 'string'
                AND jsonb_typeof(e -> 'note') = 'string', false) THEN 'shape'
            WHEN e ->> 'seq' <> a.seq::text OR e ->> 'step' <> a.step::text
                OR e ->> 'id' <> a.id OR e ->> 'action' <> a.action
                OR e ->> 'effective' IS DISTINCT FROM a.effective
                OR a.plan <> split_part(a.id, ':', 1) THEN 'columns'
            WHEN NOT coalesce(tracker.is_day(a.effective), false) THEN 'day'
            WHEN jsonb_path_exists(e, 'strict $.changes.* ? (@.type() != "array" '
                                      '|| @.size() != 2)') THEN 'changes'
            WHEN NOT coalesce(jsonb_typeof(e #> '{changes,reason,0}') IN ('string', 'null')
                              AND jsonb_typeof(e #> '{changes,reason,1}') IN ('string', 'null'),
                              true)
                OR NOT coalesce(jsonb_typeof(e #> '{changes,evidence,0}') IN ('string', 'null')
                                AND jsonb_typeof(e #> '{changes,evidence,1}')
                                    IN ('string', 'null'), true) THEN 'text'
            WHEN NOT e ?& needs THEN 'needs'
            WHEN CASE a.action
                WHEN 'attach' THEN NOT coalesce(jsonb_typeof(e -> 'name') = 'string'
                    AND tracker.is_sha256(e ->> 'sha256')
                    AND jsonb_typeof(e -> 'size') = 'number'
                    AND tracker.is_count(e ->> 'size'), false)
                WHEN 'detach' THEN NOT coalesce(jsonb_typeof(e -> 'name') = 'string'
                    AND tracker.is_sha256(e ->> 'sha256'), false)
                WHEN 'answer' THEN NOT coalesce(jsonb_typeof(e -> 'round') = 'string'
                    AND jsonb_typeof(e -> 'executor') = 'string'
                    AND jsonb_typeof(e -> 'answer') = 'object'
                    AND (e -> 'answer') - ARRAY['status', 'reason', 'evidence'] = '{}'
                    AND coalesce(jsonb_typeof(e -> 'answer' -> 'reason'), 'string') = 'string'
                    AND coalesce(jsonb_typeof(e -> 'answer' -> 'evidence'), 'string')
                        = 'string'
                    AND coalesce(e -> 'answer' -> 'status', '"fulfilled"') = ANY(statuses),
                    false)
                WHEN 'return' THEN NOT coalesce(jsonb_typeof(e -> 'round') = 'string'
                    AND jsonb_typeof(e -> 'executor') = 'string', false)
                WHEN 'undo' THEN NOT coalesce(tracker.is_count(e ->> 'undoes'), false)
                ELSE false END THEN 'payload'
            WHEN NOT coalesce(e #> '{changes,status,0}' = 'null'
                              OR e #> '{changes,status,0}' = ANY(statuses), true)
                OR NOT coalesce(e #> '{changes,status,1}' = 'null'
                                OR e #> '{changes,status,1}' = ANY(statuses), true)
                THEN 'status'
            WHEN NOT coalesce(e #> '{changes,updated,0}' = 'null'
                              OR jsonb_typeof(e #> '{changes,updated,0}') = 'string'
                                 AND tracker.is_day(e #>> '{changes,updated,0}'), true)
                OR NOT coalesce(e #> '{changes,updated,1}' = 'null'
                                OR jsonb_typeof(e #> '{changes,updated,1}') = 'string'
                                   AND tracker.is_day(e #>> '{changes,updated,1}'), true)
                THEN 'updated'
            END;
        IF problem IS NULL AND a.action = 'attach' AND NOT EXISTS (
                SELECT 1 FROM tracker.files f  -- (a file is kept before what names it)
                WHERE f.sha256 = e ->> 'sha256' AND f.size = (e ->> 'size')::bigint) THEN
            problem := 'file';
        END IF;
        IF problem = 'shape' THEN
            RAISE EXCEPTION 'tracker: event % is not a journal event (an object with seq, at, '
                'actor, effective, id, action, changes, reason, note and step)', a.seq
                USING ERRCODE = 'check_violation';
        ELSIF problem = 'columns' THEN
            RAISE EXCEPTION 'tracker: the columns of event % (seq, step, id, plan, action, '
                'effective) must repeat its JSON', a.seq USING ERRCODE = 'check_violation';
        ELSIF problem = 'day' THEN
            RAISE EXCEPTION 'tracker: event % has no day (effective YYYY-MM-DD): %', a.seq,
                a.effective USING ERRCODE = 'check_violation';
        ELSIF problem = 'changes' THEN
            RAISE EXCEPTION 'tracker: event % changes a field not from one value to another '
                '([before, after])', a.seq USING ERRCODE = 'check_violation';
        ELSIF problem = 'text' THEN
            RAISE EXCEPTION 'tracker: event % changes a reason or evidence to what is not text',
                a.seq USING ERRCODE = 'check_violation';
        ELSIF problem = 'needs' THEN
            RAISE EXCEPTION 'tracker: a % event needs %; event % has not', a.action,
                array_to_string(needs, ', '), a.seq USING ERRCODE = 'check_violation';
        ELSIF problem = 'file' THEN
            RAISE EXCEPTION 'tracker: event % attaches a file that is not kept (no file of its '
                'SHA-256 and size in tracker.files)', a.seq USING ERRCODE = 'check_violation';
        ELSIF problem = 'updated' THEN
            RAISE EXCEPTION 'tracker: event % changes updated to what is not a day', a.seq
                USING ERRCODE = 'check_violation';
        ELSIF problem = 'status' THEN
            RAISE EXCEPTION 'tracker: event % gives a status tracker does not know', a.seq
                USING ERRCODE = 'check_violation';
        ELSIF problem = 'payload' THEN
            RAISE EXCEPTION 'tracker: the % of event % are not what a % event holds '
                '(a file''s name, SHA-256 and size; an answer''s round, executor and its '
                'status, reason and evidence as text)', array_to_string(needs, ', '),
                a.seq, a.action USING ERRCODE = 'check_violation';
        END IF;
        first_ := least(first_, a.seq);
        last_ := greatest(last_, a.seq);
        low := least(low, a.step);
        high := greatest(high, a.step);
        n := n + 1;
    END LOOP;
    -- Next in line: meta counts what came before this statement (count_events, after).
    SELECT last_seq, last_step, last_xact INTO m FROM tracker.meta WHERE id = 1;
    IF first_ <> m.last_seq + 1 OR last_ <> m.last_seq + n THEN
        RAISE EXCEPTION 'tracker: the events written must be numbered from % on, one after '
            'another (these are % to %, % of them)', m.last_seq + 1, first_, last_, n
            USING ERRCODE = 'check_violation';
    END IF;
    IF high <> m.last_step + 1 AND NOT (high = m.last_step
                                       AND m.last_xact = pg_current_xact_id())
       OR low <> high THEN
        RAISE EXCEPTION 'tracker: the events % to % must be of step % (step % is done)',
            first_, last_, m.last_step + 1, m.last_step USING ERRCODE = 'check_violation';
    END IF;
    acting := tracker.acting_for();
    IF acting IS NULL THEN
        RETURN NULL;
    END IF;
    -- A role acting for executors (SPEC 15): its first event it may not write, and why.
    FOR a IN SELECT * FROM added ORDER BY seq LOOP
        e := a.event::jsonb;
        measure := a.id LIKE '%:%';
        problem := CASE
            WHEN a.action NOT IN ('update', 'answer', 'attach', 'detach', 'undo', 'amend')
                THEN 'action'
            WHEN a.action = 'amend' AND (measure
                OR e -> 'changes' <> '{}'::jsonb OR NOT EXISTS (
                SELECT 1 FROM tracker.events y WHERE y.step = a.step AND y.plan = a.plan
                AND y.id LIKE '%:%' AND y.actor = current_user)) THEN 'amend'
            WHEN a.action = 'undo' AND NOT measure  -- (of its amendment)
                AND e -> 'changes' <> '{}'::jsonb THEN 'fields'
            WHEN NOT (a.action IN ('undo', 'amend') AND NOT measure) AND NOT (measure AND EXISTS (
                SELECT 1 FROM tracker.items i WHERE i.plan = a.plan  -- (by its key)
                AND i.ref = substr(a.id, length(a.plan) + 2) AND i.owners && acting))
                THEN 'measure'
            WHEN (e -> 'changes') - ARRAY['status', 'reason', 'evidence', 'updated'] <> '{}'
                THEN 'fields'
            WHEN a.action = 'answer' AND NOT coalesce((e ->> 'executor') = ANY(acting),
                                                      false) THEN 'answer'
            WHEN a.action = 'undo' AND (jsonb_typeof(e -> 'undoes') <> 'number'
                OR EXISTS (SELECT 1 FROM tracker.events y
                           WHERE y.step = (e ->> 'undoes')::bigint
                           AND y.actor <> current_user)
                OR NOT EXISTS (SELECT 1 FROM tracker.events y
                               WHERE y.step = (e ->> 'undoes')::bigint)) THEN 'undo'
            WHEN NOT coalesce(jsonb_typeof(e -> 'acting_for') = 'array'  -- ('log' says it)
                AND jsonb_array_length(e -> 'acting_for') > 0
                AND to_jsonb(acting) @> (e -> 'acting_for'), false) THEN 'acting_for'
            ELSE '' END;
        IF problem = '' AND a.action = 'answer' AND NOT EXISTS (
                SELECT 1 FROM tracker.events y WHERE y.plan = a.plan
                AND y.action = 'round-open' AND y.event::jsonb ->> 'round' = e ->> 'round') THEN
            problem := 'round';
        END IF;
        IF problem = '' AND measure AND a.action <> 'undo' AND EXISTS (
                SELECT 1 FROM tracker.items i WHERE i.plan = a.plan
                AND i.ref = substr(a.id, length(a.plan) + 2)
                AND a.effective::date < i.created) THEN
            problem := 'early';
        END IF;
        -- What it says it changed is what the measure was and is: its values before this
        -- transaction to its values now (or through another event of its step).
        IF problem = '' AND measure
           AND (e -> 'changes') ?| ARRAY['status', 'reason', 'evidence'] THEN
            SELECT to_jsonb(i), coalesce(b.row_, to_jsonb(i)) INTO now_, was
            FROM tracker.items i LEFT JOIN tracker.items_before b
                ON b.xact = pg_current_xact_id() AND b.plan = i.plan AND b.ref = i.ref
            WHERE i.plan = a.plan AND i.ref = substr(a.id, length(a.plan) + 2);
            FOREACH field IN ARRAY ARRAY['status', 'reason', 'evidence'] LOOP
                CONTINUE WHEN NOT (e -> 'changes') ? field;
                IF (e #> ARRAY['changes', field, '0'] IS DISTINCT FROM was -> field
                    AND NOT EXISTS (SELECT 1 FROM tracker.events y WHERE y.step = a.step
                        AND y.id = a.id AND y.seq <> a.seq AND y.event::jsonb
                        #> ARRAY['changes', field, '1'] = e #> ARRAY['changes', field, '0'])
                    OR e #> ARRAY['changes', field, '1'] IS DISTINCT FROM now_ -> field
                    AND NOT EXISTS (SELECT 1 FROM tracker.events y WHERE y.step = a.step
                        AND y.id = a.id AND y.seq <> a.seq AND y.event::jsonb
                        #> ARRAY['changes', field, '0'] = e #> ARRAY['changes', field, '1']))
                   AND NOT EXISTS (  -- (history typed in late, and its undo: a later-dated
                       SELECT 1 FROM tracker.events y  -- change holds the measure's value)
                       WHERE y.id = a.id AND y.step <> a.step AND y.action <> 'undo'
                       AND y.effective > CASE WHEN a.action = 'undo' THEN (
                           SELECT min(x.effective) FROM tracker.events x  -- (what it undoes)
                           WHERE x.step = (e ->> 'undoes')::bigint AND x.id = a.id)
                           ELSE a.effective END
                       AND ((y.event::jsonb -> 'changes') ? field
                            OR field = 'reason' AND (y.event::jsonb -> 'changes') ? 'status'))
                   THEN
                    problem := 'contradicts';
                    EXIT;
                END IF;
            END LOOP;
        END IF;
        IF problem = 'round' THEN
            RAISE EXCEPTION 'tracker: event % answers round %, which no round of plan % is; '
                'nothing was written', a.seq, e ->> 'round', a.plan USING ERRCODE = '42501';
        ELSIF problem = 'contradicts' THEN
            RAISE EXCEPTION 'tracker: event % says the % of % changed from % to %, and the '
                'measure''s % was % and is %; nothing was written', a.seq, field, a.id,
                e #> ARRAY['changes', field, '0'], e #> ARRAY['changes', field, '1'], field,
                was -> field, now_ -> field USING ERRCODE = '42501';
        ELSIF problem = 'early' THEN
            RAISE EXCEPTION 'tracker: role % may not date a change of % before the measure was '
                'added; nothing was written', current_user, a.id USING ERRCODE = '42501';
        ELSIF problem = 'action' THEN
            RAISE EXCEPTION 'tracker: role % acts for % and may not write a % event; '
                'nothing was written', current_user, array_to_string(acting, ', '),
                a.action USING ERRCODE = '42501';
        ELSIF problem = 'amend' THEN
            RAISE EXCEPTION 'tracker: role % may mark an amendment of plan % only in the '
                'step that changes one of its measures; nothing was written', current_user,
                a.id USING ERRCODE = '42501';
        ELSIF problem = 'measure' THEN
            RAISE EXCEPTION 'tracker: role % acts for % and may not write %: it is not one '
                'of their measures; nothing was written', current_user,
                array_to_string(acting, ', '), a.id USING ERRCODE = '42501';
        ELSIF problem = 'fields' THEN
            RAISE EXCEPTION 'tracker: role % may change the status, reason and evidence of '
                '%, nothing else; nothing was written', current_user, a.id
                USING ERRCODE = '42501';
        ELSIF problem = 'answer' THEN
            RAISE EXCEPTION 'tracker: role % acts for %, not for %; nothing was written',
                current_user, array_to_string(acting, ', '), e ->> 'executor'
                USING ERRCODE = '42501';
        ELSIF problem = 'undo' THEN
            RAISE EXCEPTION 'tracker: role % may undo only a step of its own; nothing was '
                'written', current_user USING ERRCODE = '42501';
        ELSIF problem = 'acting_for' THEN
            RAISE EXCEPTION 'tracker: role % acts for %, and event % says otherwise; '
                'nothing was written', current_user, array_to_string(acting, ', '),
                a.seq USING ERRCODE = '42501';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tracker.check_item_journaled() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    target text := NEW.plan || ':' || NEW.ref;
    m record;
    now_ jsonb;
    was jsonb;
    given jsonb;  -- the events of this step that change the measure
    value_ jsonb;
    field text;
BEGIN
    IF tracker.acting_for() IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT last_step, last_xact INTO m FROM tracker.meta WHERE id = 1;
    SELECT to_jsonb(i), b.row_ INTO now_, was FROM tracker.items i
        LEFT JOIN tracker.items_before b
        ON b.xact = pg_current_xact_id() AND b.plan = i.plan AND b.ref = i.ref
    WHERE i.plan = NEW.plan AND i.ref = NEW.ref;
    SELECT jsonb_agg(x.event::jsonb) INTO given FROM tracker.events x
    WHERE x.step = m.last_step AND x.id = target;
    IF m.last_xact IS DISTINCT FROM pg_current_xact_id() OR given IS NULL THEN
        RAISE EXCEPTION 'tracker: role % changed % without a journal event of the change; '
            'nothing was written', current_user, target USING ERRCODE = '42501';
    END IF;
    -- Each field as it was before this transaction, or as an event of its step gives it
    -- (a day: as an event of the measure is dated).
    FOREACH field IN ARRAY ARRAY['status', 'reason', 'evidence', 'updated', 'status_since']
    LOOP
        value_ := now_ -> field;
        IF (was IS NULL OR was -> field IS DISTINCT FROM value_)
           AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(given) g  -- (jsonb's equality:
                           WHERE g #> ARRAY['changes', field, '1'] = value_)  -- not lax jsonpath's)
           AND NOT (field IN ('updated', 'status_since') AND (
               EXISTS (SELECT 1 FROM jsonb_array_elements(given) g
                       WHERE g -> 'effective' = value_)
               OR EXISTS (SELECT 1 FROM tracker.events x WHERE x.id = target
                          AND to_jsonb(x.effective) = value_))) THEN
            RAISE EXCEPTION 'tracker: role % set the % of % to a value no journal event '
                'of this step gives it; nothing was written', current_user, field, target
                USING ERRCODE = '42501';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
""",
    # What a new user's check of schema 7 got past the server with psql, as a role acting
    # for executors, each refused now by a check of its own (after check_events, which
    # triggers of a kind fire in the order of their names):
    # - a detach names a file its measure has (a detach of a file never attached made
    #   every later undo fail, for every role);
    # - a file attached has a name tracker gives one (no slash, no control character);
    # - a change is not dated after tomorrow in UTC (a client's today may be UTC's
    #   tomorrow, whatever the server's time zone), nor recorded at what is not a time;
    # - an answer is to a round that is open (not undone, not closed);
    # - a change typed in late under a later-dated one leaves the measure as it was (schema
    #   7 let the row change with it: 'show' then said one thing, 'report --as-of' another);
    #   any other leaves it as the event says;
    # - a file kept in tracker.files is named by an attach of its transaction and is at
    #   most 50 MB (schema 7 kept any blob, of any size, with no journal event).
    8: """
CREATE FUNCTION tracker.check_events_of_executors() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a record;
    e jsonb;
    acting text[];
    problem text;
    field text;
    now_ jsonb;
    was jsonb;
    since text;
    held boolean;
    life bigint;
    -- (UTC's: tracker records 'at' in UTC, and a client's today is at most a day past it)
    tomorrow date := (now() AT TIME ZONE 'UTC')::date + 1;
BEGIN
    acting := tracker.acting_for();
    IF acting IS NULL THEN
        RETURN NULL;
    END IF;
    FOR a IN SELECT * FROM added ORDER BY seq LOOP
        e := a.event::jsonb;
        problem := CASE
            WHEN a.effective::date > tomorrow THEN 'future'
            WHEN NOT coalesce(tracker.is_day(left(e ->> 'at', 10))
                              AND substr(e ->> 'at', 11, 1) = 'T', false)
                OR left(e ->> 'at', 10)::date > tomorrow THEN 'at'
            WHEN a.action = 'attach' AND ((e ->> 'name') IN ('', '.', '..')
                OR length(e ->> 'name') > 255
                OR (e ->> 'name') ~ ('[/\\\\\\x01-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f'
                                     || '\\u202a-\\u202e\\u2066-\\u2069]'))
                THEN 'name'
            ELSE '' END;
        IF problem = '' AND a.action = 'detach' AND coalesce((
                SELECT y.action <> 'attach' OR y.event::jsonb ->> 'sha256' <> e ->> 'sha256'
                FROM tracker.events y
                WHERE y.id = a.id AND y.action IN ('attach', 'detach') AND y.seq < a.seq
                AND y.event::jsonb ->> 'name' = e ->> 'name'
                AND NOT EXISTS (SELECT 1 FROM tracker.events u
                                WHERE u.id = y.id AND u.seq > y.seq AND u.action = 'undo'
                                AND u.event::jsonb ->> 'undoes' = y.step::text)
                ORDER BY y.seq DESC LIMIT 1), true) THEN
            problem := 'detach';
        END IF;
        IF problem = '' AND a.action = 'answer' AND NOT EXISTS (
                SELECT 1 FROM tracker.events y WHERE y.plan = a.plan AND y.action = 'round-open'
                AND y.event::jsonb ->> 'round' = e ->> 'round'
                AND NOT EXISTS (SELECT 1 FROM tracker.events u
                                WHERE u.id = y.id AND u.seq > y.seq AND u.action = 'undo'
                                AND u.event::jsonb ->> 'undoes' = y.step::text)
                AND NOT EXISTS (
                    SELECT 1 FROM tracker.events c WHERE c.plan = a.plan
                    AND c.action = 'round-close' AND c.event::jsonb ->> 'round' = e ->> 'round'
                    AND NOT EXISTS (SELECT 1 FROM tracker.events u
                                    WHERE u.id = c.id AND u.seq > c.seq AND u.action = 'undo'
                                    AND u.event::jsonb ->> 'undoes' = c.step::text))) THEN
            problem := 'round';
        END IF;
        -- The measure as the journal leaves it: unchanged under a later-dated change that
        -- holds (live, of the field, or of the status for a reason), else as the event says
        -- (or another event of its step).
        IF problem = '' AND a.action IN ('update', 'undo') AND a.id LIKE '%:%'
           AND (e -> 'changes') ?| ARRAY['status', 'reason', 'evidence'] THEN
            SELECT to_jsonb(i), coalesce(b.row_, to_jsonb(i)) INTO now_, was
            FROM tracker.items i LEFT JOIN tracker.items_before b
                ON b.xact = pg_current_xact_id() AND b.plan = i.plan AND b.ref = i.ref
            WHERE i.plan = a.plan AND i.ref = substr(a.id, length(a.plan) + 2);
            since := CASE WHEN a.action = 'undo' THEN (
                SELECT min(x.effective) FROM tracker.events x
                WHERE x.step = (e ->> 'undoes')::bigint AND x.id = a.id) ELSE a.effective END;
            -- (of the measure's life: its number may have had one before, removed)
            SELECT max(l.seq) INTO life FROM tracker.events l
            WHERE l.id = a.id AND l.event::jsonb #> '{changes,ref,0}' = 'null'::jsonb
            AND NOT EXISTS (SELECT 1 FROM tracker.events u
                            WHERE u.id = l.id AND u.seq > l.seq AND u.action = 'undo'
                            AND u.event::jsonb ->> 'undoes' = l.step::text);
            FOREACH field IN ARRAY ARRAY['status', 'reason', 'evidence'] LOOP
                CONTINUE WHEN NOT (e -> 'changes') ? field;
                held := EXISTS (
                    SELECT 1 FROM tracker.events y
                    WHERE y.id = a.id AND y.step <> a.step AND y.action <> 'undo'
                    AND y.effective > since AND y.seq >= coalesce(life, 0)
                    AND ((y.event::jsonb -> 'changes') ? field
                         OR field = 'reason' AND (y.event::jsonb -> 'changes') ? 'status')
                    AND NOT EXISTS (SELECT 1 FROM tracker.events u
                                    WHERE u.id = y.id AND u.seq > y.seq AND u.action = 'undo'
                                    AND u.event::jsonb ->> 'undoes' = y.step::text));
                IF held AND now_ -> field IS DISTINCT FROM was -> field
                   OR NOT held AND now_ -> field IS DISTINCT FROM e #> ARRAY['changes', field, '1']
                   AND NOT EXISTS (SELECT 1 FROM tracker.events y WHERE y.step = a.step
                       AND y.id = a.id AND y.seq <> a.seq
                       AND y.event::jsonb #> ARRAY['changes', field, '1'] = now_ -> field) THEN
                    problem := CASE WHEN held THEN 'held' ELSE 'left' END;
                    EXIT;
                END IF;
            END LOOP;
        END IF;
        IF problem = 'future' THEN
            RAISE EXCEPTION 'tracker: role % may not date a change after tomorrow (event % is '
                'of %); nothing was written', current_user, a.seq, a.effective
                USING ERRCODE = '42501';
        ELSIF problem = 'at' THEN
            RAISE EXCEPTION 'tracker: event % is recorded at %, which is not a time tracker '
                'writes (YYYY-MM-DDTHH:MM:SS, not after tomorrow); nothing was written', a.seq,
                e ->> 'at' USING ERRCODE = '42501';
        ELSIF problem = 'name' THEN
            RAISE EXCEPTION 'tracker: event % attaches a file named %, and a name has no slash '
                'and no control character, is not empty and is at most 255 characters; '
                'nothing was written', a.seq, e -> 'name' USING ERRCODE = '42501';
        ELSIF problem = 'detach' THEN
            RAISE EXCEPTION 'tracker: event % detaches % from %, which has no such file; '
                'nothing was written', a.seq, e -> 'name', a.id USING ERRCODE = '42501';
        ELSIF problem = 'round' THEN
            RAISE EXCEPTION 'tracker: event % answers round %, which is not open in plan %; '
                'nothing was written', a.seq, e ->> 'round', a.plan USING ERRCODE = '42501';
        ELSIF problem = 'held' THEN
            RAISE EXCEPTION 'tracker: event % changes the % of % as of %, under a later-dated '
                'change that holds it: the measure stays %, not %; nothing was written',
                a.seq, field, a.id, since, was -> field, now_ -> field USING ERRCODE = '42501';
        ELSIF problem = 'left' THEN
            RAISE EXCEPTION 'tracker: event % gives the % of % as %, and the measure''s is %; '
                'nothing was written', a.seq, field, a.id, e #> ARRAY['changes', field, '1'],
                now_ -> field USING ERRCODE = '42501';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER check_events_of_executors AFTER INSERT ON tracker.events
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION tracker.check_events_of_executors();
CREATE FUNCTION tracker.check_file_named() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m record;
BEGIN
    IF tracker.acting_for() IS NULL THEN
        RETURN NULL;
    END IF;
    IF NEW.size > 52428800 THEN
        RAISE EXCEPTION 'tracker: role % may keep a file of at most 50 MB (52,428,800 bytes) '
            'on this server, and this one is % bytes; nothing was written', current_user,
            NEW.size USING ERRCODE = '42501';
    END IF;
    SELECT last_step, last_xact INTO m FROM tracker.meta WHERE id = 1;
    IF m.last_xact IS DISTINCT FROM pg_current_xact_id() OR NOT EXISTS (
            SELECT 1 FROM tracker.events x WHERE x.step = m.last_step AND x.action = 'attach'
            AND x.event::jsonb ->> 'sha256' = NEW.sha256) THEN
        RAISE EXCEPTION 'tracker: role % kept the file % with no attach event of it; nothing '
            'was written', current_user, NEW.sha256 USING ERRCODE = '42501';
    END IF;
    RETURN NULL;
END $$;
DO $$
BEGIN
    EXECUTE format('CREATE CONSTRAINT TRIGGER named AFTER INSERT ON tracker.files '
                   'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                   'WHEN (current_user <> %L) '
                   'EXECUTE FUNCTION tracker.check_file_named()',
                   (SELECT tableowner FROM pg_tables
                    WHERE schemaname = 'tracker' AND tablename = 'files'));
END $$;
""",
}


PLAN_COLUMNS = ("id", "title", "org", "start", "end", "source", "created")
ITEM_COLUMNS = ("plan", "ref", "title", "status", "reason", "owners", "area", "due",
                "weight", "evidence", "created", "updated", "due_original", "moves",
                "status_since")
EVENT_COLUMNS = ("seq", "step", "id", "plan", "effective", "action", "actor", "event")


def _names(names: Iterable[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{n}"' for n in names)


def _upsert(table: str, names: tuple[str, ...], key: tuple[str, ...]) -> str:
    """``INSERT … ON CONFLICT (key) DO UPDATE``: a new row goes last, an old one keeps its
    place (its position), as in the file store."""
    sets = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names if n not in key)
    return (f"INSERT INTO tracker.{table} ({_names(names)}) "
            f"VALUES ({', '.join(['%s'] * len(names))}) "
            f"ON CONFLICT ({_names(key)}) DO UPDATE SET {sets}")


# The statements, written out once (fixed names only; every value is a parameter).
SELECT_PLANS = f"SELECT {_names(PLAN_COLUMNS)} FROM tracker.plans"
SELECT_ITEMS = f"SELECT {_names(ITEM_COLUMNS)} FROM tracker.items"
SELECT_EVENTS = "SELECT actor, event, seq FROM tracker.events"
UPSERT_PLAN = _upsert("plans", PLAN_COLUMNS, ("id",))
UPSERT_ITEM = _upsert("items", ITEM_COLUMNS, ("plan", "ref"))
# A command's events in one statement: the server checks and counts them once for all.
INSERT_EVENTS = (f"INSERT INTO tracker.events ({_names(EVENT_COLUMNS)}) "
                 "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], "
                 "%s::text[], %s::text[], %s::text[], %s::json[])")
STEP_PAGE = 500  # events fetched at a time when walking the journal back for undo


# --- locations and connections ----------------------------------------------------------


def display(location: str) -> str:
    """The URL without its password, fit for messages and ``info``.

    The user information ends at the last ``@`` before the host, so a password with a
    ``/``, ``?`` or ``@`` that was not percent-encoded is cut out whole too.
    """
    match = re.match(r"^(\w+://)(.*)@(?=[^@]*$)", location)
    shown = location
    if match:
        user = match.group(2).split(":", 1)[0]
        shown = match.group(1) + user + "@" + location[match.end():]
    return re.sub(r"([?&])password=[^&]*&?", r"\1", shown).rstrip("?&")


def _without(text: str, location: str) -> str:
    """*text* (a libpq message) with the raw URL in it replaced by its display form."""
    return text.replace(location, display(location)) if location else text


def _target(location: str) -> str:
    """``database D on H:P`` for connection errors: what was tried, never the password."""
    try:
        info = conninfo_to_dict(location)
    except psycopg.ProgrammingError:
        return display(location)
    host = info.get("host") or os.environ.get("PGHOST") or _("the local socket")
    port = info.get("port") or os.environ.get("PGPORT") or "5432"
    name = info.get("dbname") or os.environ.get("PGDATABASE") or info.get("user") or "(default)"
    return _("database {name} on {host}:{port}").format(name=name, host=host, port=port)


def connect(location: str) -> psycopg.Connection[Any]:
    """Connect with libpq's usual sources of passwords (.pgpass, PGPASSWORD, services)."""
    extra: dict[str, Any] = {"application_name": "tracker"}
    try:
        given = conninfo_to_dict(location)
    except psycopg.ProgrammingError as exc:
        raise InvalidValue(_("invalid PostgreSQL URL {location}: {reason}")
                           .format(location=repr(display(location)),
                                   reason=_without(_first_line(exc), location))) from None
    if "connect_timeout" not in given and "PGCONNECT_TIMEOUT" not in os.environ:
        extra["connect_timeout"] = 10
    try:
        return psycopg.connect(location, **extra)
    except psycopg.Error as exc:
        reason = _without(_first_line(exc), location)
        if "failed: " in reason:
            reason = reason.rsplit("failed: ", 1)[1]
        raise StoreError(_("cannot connect to PostgreSQL {target}: {reason}")
                         .format(target=_target(location), reason=reason)) \
            from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _plan(row: tuple[Any, ...]) -> Plan:
    pid, title, org, start, end, source, created = row
    return Plan(pid, title, org, _iso(start), _iso(end), source, _iso(created) or "")


def _item(row: tuple[Any, ...]) -> Item:
    (plan, ref, title, status, reason, owners, area, due, weight, evidence, created, updated,
     due_original, moves, status_since) = row
    return Item(plan, ref, title, status, reason, owners, area, due, whole(weight),
                evidence, _iso(created) or "", _iso(updated) or "", due_original, moves,
                _iso(status_since) or "")


_EVENT_KEYS = frozenset(EVENT_KEYS)
# What the events of these actions hold beside the keys every event has, and of what type.
_EXTRAS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "attach": {"name": str, "sha256": str, "size": int},
    "detach": {"name": str, "sha256": str},
    "answer": {"round": str, "executor": str, "answer": dict},
    "return": {"round": str, "executor": str},
    "undo": {"undoes": int},
}


def _event(row: tuple[Any, ...]) -> dict[str, Any]:
    actor, event, seq = row
    if not isinstance(event, dict) or not event.keys() >= _EVENT_KEYS or not isinstance(
            event["changes"], dict) or any(
            not isinstance(event.get(key), kind)
            for key, kind in _EXTRAS.get(str(event["action"]), {}).items()):
        # Only the tables' owner can write such a line now (schema 6 checks the others'):
        # name it, rather than fail somewhere in a report.
        lacking = ", ".join(sorted(_EVENT_KEYS - event.keys()) or [
            key for key, kind in _EXTRAS.get(str(event["action"]), {}).items()
            if not isinstance(event.get(key), kind)]) if isinstance(event, dict) \
            else _("all of it")
        raise StoreError(_("journal event {seq} is not whole (it lacks {keys}): it was written "
                           "past tracker, with psql; its owner can delete it ('DELETE FROM "
                           "tracker.events WHERE seq = {seq}') or fix it")
                         .format(seq=seq, keys=lacking or "changes"))
    event["actor"] = actor  # the stamped column, in the key's own place
    return dict(event)


def _plan_row(plan: Plan) -> tuple[Any, ...]:
    return (plan.id, plan.title, plan.org, plan.start, plan.end, plan.source,
            plan.created or None)


def _item_row(item: Item) -> tuple[Any, ...]:
    return (item.plan, item.ref, item.title, item.status, item.reason, item.owners, item.area,
            item.due, item.weight, item.evidence, item.created or None, item.updated or None,
            item.due_original, jsonio.dumps(item.moves).decode(), item.status_since or None)


def _event_row(event: dict[str, Any]) -> tuple[Any, ...]:
    """The event's indexed columns, then the whole event as JSON text (key order kept)."""
    target = str(event["id"])
    return (event["seq"], event["step"], target, target.partition(":")[0],
            str(event["effective"]), event["action"], str(event.get("actor", "")),
            jsonio.dumps(event).decode())


# --- the repository ---------------------------------------------------------------------


class PostgresRepository(Repository):
    """Plans, items and the journal in PostgreSQL tables, queried as each command asks."""

    def __init__(self, conn: psycopg.Connection[Any], location: str, *, writable: bool,
                 lock_timeout: float = 10.0) -> None:
        self.conn = conn
        self.location = display(location)
        self.writable = writable
        self.lock_timeout = lock_timeout
        self._pending: list[dict[str, Any]] = []
        self._dirty = False
        # What this command has read or written (a snapshot, or under the writers' lock).
        self._plan_cache: dict[str, dict[str, Any] | None] = {}
        self._item_cache: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._refs: dict[str, dict[str, None]] = {}  # a plan's refs, in order
        self._acting_for: list[str] | None | bool = False  # not asked yet
        with self._errors():
            self._role = conn.execute(
                "SELECT current_user, set_config('lock_timeout', %s, true)",
                (f"{max(1, round(lock_timeout * 1000))}ms",)).fetchone()[0]  # type: ignore[index]
            lock = " FOR UPDATE" if writable else ""
            row = conn.execute("SELECT schema_version, last_seq, last_step FROM tracker.meta "
                               "WHERE id = 1" + lock).fetchone()
        if row is None:
            raise self._uninitialised()
        version, self._last_seq, self._last_step = row
        if version > SCHEMA_VERSION:
            raise StoreError(
                _("database {location} was set up by a newer tracker (schema {version}); this "
                  "one knows schema {known} and older. Nothing was changed.")
                .format(location=self.location, version=version, known=SCHEMA_VERSION),
                _("Upgrade tracker to use it."),
            )
        if version < SCHEMA_VERSION:
            raise StoreError(
                _("database {location} has the older tracker schema {version}: run 'tracker db "
                  "init' on it to migrate it to schema {known}")
                .format(location=self.location, version=version, known=SCHEMA_VERSION)
            )
        self.schema_version = version

    # errors -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn the server's errors into the project's: busy, no permission, not set up."""
        try:
            yield
        except psycopg.Error as exc:
            raise self._translate(exc) from None

    def _translate(self, exc: psycopg.Error) -> TrackerError:
        state = exc.sqlstate or ""
        if state == "55P03":  # lock_not_available: lock_timeout ran out
            return Busy(
                _("database is busy: another tracker command has held {location} for more than "
                  "{seconds} s")
                .format(location=self.location, seconds=f"{self.lock_timeout:g}"),
                _("Try again, or raise TRACKER_LOCK_TIMEOUT (seconds)."),
            )
        if state in ("40001", "40P01"):  # serialization failure, deadlock
            return Busy(_("database is busy: {location} was changed by another command at the "
                          "same moment; nothing was changed. Try again.")
                        .format(location=self.location))
        if state == "42501" and exc.diag.message_primary and \
                exc.diag.message_primary.startswith("tracker: "):  # the server's own check
            return StoreError(_("database {location} refused the change: {reason}")
                              .format(location=self.location,
                                      reason=exc.diag.message_primary[len("tracker: "):]))
        if state == "42501":  # insufficient_privilege
            role = getattr(self, "_role", None) or "this"
            # (no use of the schema at all: a role that may not even read)
            if self.writable and "schema tracker" not in (exc.diag.message_primary or ""):
                return StoreError(_("role {role} may only read database {location}: nothing "
                                    "was changed (ask its owner for write access)")
                                  .format(role=role, location=self.location))
            return StoreError(_("role {role} may not read database {location} (ask its owner "
                                "for access)")
                              .format(role=role, location=self.location))
        if state in ("3F000", "42P01"):  # invalid_schema_name, undefined_table
            return self._uninitialised()
        if isinstance(exc, psycopg.DataError):
            return StoreError(_("database {location} refused a value: {reason}; nothing was "
                                "changed")
                              .format(location=self.location, reason=_first_line(exc)))
        if isinstance(exc, psycopg.OperationalError) and self.conn.closed:
            return StoreError(_("lost the connection to {location}: {reason}; nothing was "
                                "changed")
                              .format(location=self.location, reason=_first_line(exc)))
        return StoreError(_("PostgreSQL error on {location}: {reason}; nothing was changed")
                          .format(location=self.location, reason=_first_line(exc)))

    def _uninitialised(self) -> StoreError:
        return StoreError(_("database {location} is not set up for tracker: run 'tracker db "
                            "init' on it first")
                          .format(location=self.location))

    def _fetch(self, query: Any, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._errors():
            return self.conn.execute(query, params).fetchall()

    def _run(self, query: Any, params: tuple[Any, ...] = ()) -> None:
        if not self.writable:
            raise RuntimeError("this repository was opened for reading only")
        self._dirty = True
        with self._errors():
            self.conn.execute(query, params)

    # reads --------------------------------------------------------------------------------

    def actor(self) -> str | None:
        return str(self._role)

    def acting_for(self) -> list[str] | None:
        if self._acting_for is False:
            row = self._fetch("SELECT tracker.acting_for()")
            self._acting_for = list(row[0][0]) if row and row[0][0] else None
        return self._acting_for  # type: ignore[return-value]

    def plans(self) -> list[Plan]:
        return [_plan(r) for r in self._fetch(SELECT_PLANS + " ORDER BY position")]

    def get_plan(self, plan_id: str) -> Plan | None:
        if plan_id not in self._plan_cache:
            rows = self._fetch(SELECT_PLANS + " WHERE id = %s", (plan_id,))
            self._plan_cache[plan_id] = _plan(rows[0]).to_dict() if rows else None
        found = self._plan_cache[plan_id]
        return None if found is None else Plan.from_dict(found)

    def items(self, plan_id: str | None = None) -> list[Item]:
        if plan_id is not None:
            query = SELECT_ITEMS + " WHERE plan = %s ORDER BY position"
            return [_item(r) for r in self._fetch(query, (plan_id,))]
        query = (f"SELECT {_names(ITEM_COLUMNS, 'i.')} FROM tracker.items i "
                 "JOIN tracker.plans p ON p.id = i.plan ORDER BY p.position, i.position")
        return [_item(r) for r in self._fetch(query)]

    def status_sums(self, plan_id: str) -> StatusSums:
        rows = self._fetch("SELECT status, count(*), sum(weight), min(weight), max(weight) "
                           "FROM tracker.items WHERE plan = %s GROUP BY status", (plan_id,))
        return {status: [int(count), whole(total), whole(low), whole(high)]
                for status, count, total, low, high in rows}

    def get_item(self, plan_id: str, ref: str) -> Item | None:
        key = (plan_id, ref)
        if key not in self._item_cache:
            known = self._refs.get(plan_id)
            if known is not None and ref not in known:
                return None
            rows = self._fetch(SELECT_ITEMS + " WHERE plan = %s AND ref = %s", key)
            self._item_cache[key] = _item(rows[0]).to_dict() if rows else None
        found = self._item_cache[key]
        return None if found is None else Item(**found)

    def refs(self, plan_id: str) -> list[str]:
        if plan_id not in self._refs:
            rows = self._fetch("SELECT ref FROM tracker.items WHERE plan = %s "
                               "ORDER BY position", (plan_id,))
            self._refs[plan_id] = dict.fromkeys(r[0] for r in rows)
        return list(self._refs[plan_id])

    def events(self, *, plan: str | None = None, item: str | None = None,
               actions: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        where: list[str] = []
        values: list[Any] = []
        if item is not None:
            where, values = ["id = %s"], [item]
        elif plan is not None:
            where, values = ["plan = %s"], [plan]
        if actions is not None:
            where.append("action = ANY(%s)")
            values.append(list(actions))
        rows = self._fetch(SELECT_EVENTS + "".join(
            f" {'WHERE' if n == 0 else 'AND'} {w}" for n, w in enumerate(where))
            + " ORDER BY seq", tuple(values))
        events = [_event(r) for r in rows]
        events.extend(e for e in self._pending if matches(e, plan, item, actions))
        return events

    def plan_events(self, plan_ids: list[str]) -> Iterator[list[dict[str, Any]]]:
        for plan_id in plan_ids:  # by the events_by_plan index: each row read once in all
            yield self.events(plan=plan_id)

    def recent_steps(self) -> Iterator[list[dict[str, Any]]]:
        """Steps newest first, read back from the end of the journal a page at a time."""
        current: list[dict[str, Any]] = []
        for event in self._newest_first():
            if current and event["step"] != current[0]["step"]:
                yield current[::-1]
                current = []
            current.append(event)
        if current:
            yield current[::-1]

    def _newest_first(self) -> Iterator[dict[str, Any]]:
        yield from reversed(self._pending)
        query = ("SELECT actor, event, seq FROM tracker.events WHERE seq < %s "
                 "ORDER BY seq DESC LIMIT %s")
        before = self.last_seq() + 1
        while True:
            rows = self._fetch(query, (before, STEP_PAGE))
            for row in rows:
                yield _event(row)
            if len(rows) < STEP_PAGE:
                return
            before = rows[-1][2]

    def last_seq(self) -> int:
        return int(self._last_seq)

    def last_step(self) -> int:
        return int(self._last_step)

    def info(self) -> dict[str, Any]:
        (plans, items), = self._fetch("SELECT (SELECT count(*) FROM tracker.plans), "
                                      "(SELECT count(*) FROM tracker.items)")
        return {
            "database": self.location,
            "schema_version": self.schema_version,
            "plans": plans,
            "items": items,
            "events": self.last_seq(),
            "steps": self.last_step(),
            "role": self._role,
        }

    # writes -------------------------------------------------------------------------------

    # Writes go to the server at once, inside the transaction, and into the caches: this
    # command holds the writers' lock, so nothing else changes what it has read.

    def put_plan(self, plan: Plan) -> None:
        self._run(UPSERT_PLAN, _plan_row(plan))
        self._plan_cache[plan.id] = plan.to_dict()

    def delete_plan(self, plan_id: str) -> None:
        self._run("DELETE FROM tracker.plans WHERE id = %s", (plan_id,))
        self._plan_cache[plan_id] = None
        self._refs[plan_id] = {}  # its items went with it
        for key in [k for k in self._item_cache if k[0] == plan_id]:
            self._item_cache[key] = None

    def put_item(self, item: Item) -> None:
        before = self.get_item(item.plan, item.ref) if self.acting_for() is not None else None
        if before is not None:
            # A role acting for executors may update some columns only (and insert none):
            # set just what changed.
            new, old = _item_row(item), _item_row(before)
            changed = [n for n, (a, b) in enumerate(zip(new, old, strict=True)) if a != b]
            if changed:
                sets = sql.SQL(", ").join(sql.SQL("{} = %s").format(
                    sql.Identifier(ITEM_COLUMNS[n])) for n in changed)
                self._run(sql.SQL("UPDATE tracker.items SET {} WHERE plan = %s AND ref = %s")
                          .format(sets), (*(new[n] for n in changed), item.plan, item.ref))
        else:
            self._run(UPSERT_ITEM, _item_row(item))
        self._item_cache[(item.plan, item.ref)] = item.to_dict()
        known = self._refs.get(item.plan)
        if known is not None:
            known.setdefault(item.ref)

    def delete_item(self, plan_id: str, ref: str) -> None:
        self._run("DELETE FROM tracker.items WHERE plan = %s AND ref = %s", (plan_id, ref))
        self._item_cache[(plan_id, ref)] = None
        self._refs.get(plan_id, {}).pop(ref, None)

    def append_events(self, events: list[dict[str, Any]]) -> None:
        if not self.writable:
            raise RuntimeError("this repository was opened for reading only")
        self._dirty = True
        for event in events:
            self._last_seq = max(self.last_seq(), event["seq"])
            self._last_step = max(self.last_step(), event["step"])
        self._pending.extend(events)

    def put_file(self, data: bytes) -> str:
        from tracker.store import file_digest

        if not self.writable:
            raise RuntimeError("this repository was opened for reading only")
        sha = file_digest(data)
        self._dirty = True
        self._run("INSERT INTO tracker.files (sha256, size, data) VALUES (%s, %s, %s) "
                  "ON CONFLICT (sha256) DO NOTHING", (sha, len(data), data))
        return sha

    def get_file(self, sha256: str) -> bytes:
        from tracker.store import checked_file

        rows = self._fetch("SELECT data FROM tracker.files WHERE sha256 = %s", (sha256,))
        return checked_file(sha256, bytes(rows[0][0]) if rows else None, self.location)

    def file_names(self) -> list[str]:
        return [row[0] for row in self._fetch("SELECT sha256 FROM tracker.files ORDER BY 1")]

    def bulk_load(self, plans: list[Plan], items: list[Item],
                  events: list[dict[str, Any]]) -> None:
        """Load a whole database with COPY (``tracker copy``), keeping the journal's actors."""
        if not self.writable:
            raise RuntimeError("this repository was opened for reading only")
        with self._errors():
            stranger = _not_owner(self.conn)
        if stranger is not None:
            raise StoreError(
                _("role {role} does not own the tables of {location}: only their owner (who "
                  "ran 'tracker db init') can copy a journal in with its actors")
                .format(role=self._role, location=self.location))
        self._dirty = True
        self._copy("plans", PLAN_COLUMNS, (_plan_row(p) for p in plans))
        self._copy("items", ITEM_COLUMNS, (_item_row(i) for i in items))
        self._copy("events", EVENT_COLUMNS, (_event_row(e) for e in events))
        for event in events:
            self._last_seq = max(self.last_seq(), event["seq"])
            self._last_step = max(self.last_step(), event["step"])

    def _copy(self, table: str, names: tuple[str, ...], rows: Iterable[Any]) -> None:
        query = f"COPY tracker.{table} ({_names(names)}) FROM STDIN"
        with self._errors(), self.conn.cursor() as cur, cur.copy(query) as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> bool:
        if not self._dirty:
            self._end()
            return False
        with self._errors():
            if self._pending:
                self.conn.execute(INSERT_EVENTS, tuple(
                    list(column) for column in zip(*map(_event_row, self._pending),
                                                   strict=True)))
            self.conn.commit()  # (the server counts the events in meta: count_events)
        self._pending = []
        self._dirty = False
        return True

    def discard(self) -> None:
        with self._errors():
            self.conn.rollback()
        self._pending = []
        self._dirty = False
        self._plan_cache, self._item_cache, self._refs = {}, {}, {}

    def _end(self) -> None:
        """End the transaction without changing anything."""
        if not self.conn.closed:
            with contextlib.suppress(psycopg.Error):
                self.conn.rollback()

    def close(self) -> None:
        """Close the connection (a transaction still open is rolled back)."""
        if not self.conn.closed:
            self.conn.close()


# --- opening ----------------------------------------------------------------------------


def open_reader(location: str, lock_timeout: float = 10.0) -> PostgresRepository:
    """A read-only snapshot of the database for one command."""
    conn = connect(location)
    conn.read_only = True
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        return PostgresRepository(conn, location, writable=False, lock_timeout=lock_timeout)
    except BaseException:
        conn.close()
        raise


@contextlib.contextmanager
def open_repository(location: str, *, lock_timeout: float = 10.0,
                    salvage: bool = False) -> Iterator[PostgresRepository]:
    """One writing command's transaction: committed when the block succeeds, else rolled
    back. (*salvage* is for a file's journal: a server's journal is a table.)"""
    if salvage:
        raise StoreError(_("'tracker repair' mends a database file's journal; a PostgreSQL "
                           "journal is a table of the database, backed up with it"))
    conn = connect(location)
    try:
        repo = PostgresRepository(conn, location, writable=True, lock_timeout=lock_timeout)
        yield repo
        repo.commit()
    finally:
        conn.close()  # without a commit, the server rolls everything back


# --- db init: schema, migrations and roles ----------------------------------------------


def init_database(location: str, *, readers: Iterable[str] = (),
                  writers: Iterable[str] = (), lock_timeout: float = 10.0) -> list[str]:
    """Create or migrate the schema and grant roles, in one transaction; say what was done."""
    conn = connect(location)
    done: list[str] = []
    shown = display(location)
    try:
        with conn.transaction():
            conn.execute("SELECT set_config('lock_timeout', %s, true)",
                         (f"{max(1, round(lock_timeout * 1000))}ms",))
            # One db init at a time, and no writer while the schema changes.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('tracker db init'))")
            if (stranger := _not_owner(conn)) is not None:
                raise StoreError(_("role {role} may not set up {shown} nor grant roles on it: "
                                   "only the owner of its tables may (the role that ran "
                                   "'tracker db init'); nothing was changed")
                                 .format(role=stranger, shown=shown))
            version = _schema_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    _("database {shown} has tracker schema {version}, newer than this "
                      "tracker's {known}; nothing was changed")
                    .format(shown=shown, version=version, known=SCHEMA_VERSION),
                    _("Upgrade tracker to use it."))
            for step in range(version + 1, SCHEMA_VERSION + 1):
                conn.execute(MIGRATIONS[step])
                if step == 3 and version:
                    _derive_control(conn)
                conn.execute("UPDATE tracker.meta SET schema_version = %s", (step,))
            if version == 0:
                done.append(_("created the tracker schema (version {known}) in {shown}")
                            .format(known=SCHEMA_VERSION, shown=shown))
            elif version < SCHEMA_VERSION:
                done.append(_("migrated {shown} from schema {version} to {known}")
                            .format(shown=shown, version=version, known=SCHEMA_VERSION))
            else:
                done.append(_("{shown} already has the tracker schema (version {known})")
                            .format(shown=shown, known=SCHEMA_VERSION))
            for role, write in [*((r, False) for r in readers), *((r, True) for r in writers)]:
                acting = [r[0] for r in conn.execute(
                    "SELECT executor FROM tracker.rights WHERE role = %s ORDER BY executor",
                    (role,))]
                if acting:  # ('db rights' would go on saying it acts for them)
                    raise StoreError(_("role {role} acts for {executors}: revoke that first "
                                       "('tracker db grant {role} --executor … --revoke'), then "
                                       "grant it {access}; nothing was changed").format(
                        role=role, executors=", ".join(acting),
                        access=_("read and write access") if write else
                        _("read-only access")))
                done.extend(_grant(conn, role, write=write))
    except psycopg.Error as exc:
        _init_failed(exc, shown)
    finally:
        conn.close()
    return done


def _derive_control(conn: psycopg.Connection[Any]) -> None:
    """Schema 2 → 3: each item's original deadline, moves and status day from its journal,
    folded as ``report --as-of`` folds it (one plan's events at a time)."""
    from tracker.history import FOREVER, items_as_of

    plans = [r[0] for r in conn.execute("SELECT id FROM tracker.plans ORDER BY position")]
    for plan_id in plans:
        events = [_event(r) for r in conn.execute(
            SELECT_EVENTS + " WHERE plan = %s ORDER BY seq", (plan_id,))]
        rows = [(item.due_original, jsonio.dumps(item.moves).decode(),
                 item.status_since or None, plan_id, item.ref)
                for item in items_as_of(events, plan_id, FOREVER)]
        with conn.cursor() as cur:
            cur.executemany("UPDATE tracker.items SET due_original = %s, moves = %s, "
                            "status_since = %s WHERE plan = %s AND ref = %s", rows)


def _not_owner(conn: psycopg.Connection[Any]) -> str | None:
    """The connection's role when it does not own tracker's tables (the owner, a member of
    it and a superuser do; where there are no tables yet, anyone may make them), else
    None."""
    row = conn.execute("SELECT current_user, pg_has_role(current_user, relowner, 'MEMBER') "
                       "FROM pg_class WHERE oid = to_regclass('tracker.items')").fetchone()
    return str(row[0]) if row is not None and not row[1] else None


def _schema_version(conn: psycopg.Connection[Any]) -> int:
    """0 when the database has no tracker schema yet."""
    row = conn.execute("SELECT to_regclass('tracker.meta') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    found = conn.execute("SELECT schema_version FROM tracker.meta WHERE id = 1 "
                         "FOR UPDATE").fetchone()
    return int(found[0]) if found else 0


def _grant(conn: psycopg.Connection[Any], role: str, *, write: bool) -> list[str]:
    """Make *role* a reader (SELECT only) or a writer; create it (NOLOGIN) if missing."""
    done = []
    name = sql.Identifier(role)
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(name))
        done.append(_("created role {role} (NOLOGIN: grant it to people with 'GRANT {sql} "
                      "TO alice')").format(role=role, sql=name.as_string(conn)))
    statements = [
        "GRANT USAGE ON SCHEMA tracker TO {r}",
        "GRANT SELECT ON ALL TABLES IN SCHEMA tracker TO {r}",
    ]
    if write:
        statements += [
            "GRANT INSERT, UPDATE, DELETE ON tracker.plans, tracker.items TO {r}",
            "GRANT INSERT ON tracker.events, tracker.files TO {r}",
            "GRANT UPDATE (id) ON tracker.meta TO {r}",  # (to lock it: the server counts)
            "GRANT USAGE ON SEQUENCE tracker.position TO {r}",
        ]
    else:
        statements += [
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA tracker FROM {r}",
            "REVOKE USAGE ON SEQUENCE tracker.position FROM {r}",
        ]
    for statement in statements:
        conn.execute(sql.SQL(statement).format(r=name))
    done.append((_("granted read and write access to role {role}") if write else
                 _("granted read-only access to role {role}")).format(role=role))
    return done


def set_rights(location: str, role: str, executors: Iterable[str], *, revoke: bool,
               lock_timeout: float = 10.0) -> list[str]:
    """``db grant ROLE --executor NAME…`` (or ``--revoke``): let *role* act for these
    executors — read what readers read, change the status, reason and evidence of their
    items, answer rounds and attach files for them, nothing else — or stop it; in one
    transaction. A role left acting for nobody keeps reading, and writes nothing."""
    if any(not name.strip() for name in executors):
        raise InvalidValue(_("an executor's name is empty: give it as the measures name it "
                             "(see 'tracker report --by owner'); nothing was changed"))
    if len(role.encode()) > 63:  # (PostgreSQL would cut the role's name, not the rights')
        raise InvalidValue(_("role name {role!r} is longer than PostgreSQL's 63 bytes: give "
                             "the role a shorter name; nothing was changed").format(role=role))
    conn = connect(location)
    shown = display(location)
    done: list[str] = []
    name = sql.Identifier(role)
    try:
        with conn.transaction():
            conn.execute("SELECT set_config('lock_timeout', %s, true)",
                         (f"{max(1, round(lock_timeout * 1000))}ms",))
            if (stranger := _not_owner(conn)) is not None:
                raise StoreError(_("role {role} may not grant or revoke rights on {shown}: only "
                                   "the owner of its tables may (the role that ran 'tracker db "
                                   "init'); nothing was changed").format(role=stranger,
                                                                          shown=shown))
            if _schema_version(conn) < SCHEMA_VERSION:
                raise StoreError(_("database {shown} has an older tracker schema: run 'tracker "
                                   "db init' on it first").format(shown=shown))
            if revoke:
                held = {r[0] for r in conn.execute(
                    "DELETE FROM tracker.rights WHERE role = %s AND executor = ANY(%s) "
                    "RETURNING executor", (role, list(executors)))}
                if not held:
                    raise StoreError(_("role {role} does not act for {executors}: nothing was "
                                       "changed (see 'tracker db rights')").format(
                        role=role, executors=", ".join(executors)))
                left = conn.execute("SELECT count(*) FROM tracker.rights WHERE role = %s",
                                    (role,)).fetchone()
                if left is not None and left[0] == 0 and conn.execute(
                        "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                    conn.execute(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON ALL TABLES IN "
                                         "SCHEMA tracker FROM {r}").format(r=name))
                done.append(_("role {role} no longer acts for {executors}").format(
                    role=role, executors=", ".join(e for e in executors if e in held)))
                if len(held) < len(set(executors)):
                    done.append(_("role {role} did not act for {executors}").format(
                        role=role, executors=", ".join(e for e in executors if e not in held)))
                return done
            writer = conn.execute("SELECT has_table_privilege(oid, 'tracker.items', 'INSERT') "
                                  "FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if writer is not None and writer[0]:
                raise StoreError(_("role {role} writes every measure (a writer, or the tables' "
                                   "owner): it cannot act for executors too; nothing was "
                                   "changed. Grant the executor's rights to a role of its "
                                   "own").format(role=role))
            done.extend(_grant(conn, role, write=False)[:-1])  # (its rights said below)
            from tracker.rights import EXECUTOR_FIELDS

            columns = sql.SQL(", ").join(sql.Identifier(c) for c in sorted(EXECUTOR_FIELDS))
            conn.execute(sql.SQL("GRANT UPDATE ({c}) ON tracker.items TO {r}")
                         .format(c=columns, r=name))
            for statement in ("GRANT INSERT ON tracker.events, tracker.files TO {r}",
                              "GRANT UPDATE (id) ON tracker.meta TO {r}"):  # (to lock it)
                conn.execute(sql.SQL(statement).format(r=name))
            for executor in executors:
                conn.execute("INSERT INTO tracker.rights (role, executor) VALUES (%s, %s) "
                             "ON CONFLICT DO NOTHING", (role, executor))
            done.append(_("role {role} acts for {executors}: it may change the status, reason "
                          "and evidence of their measures, answer rounds and attach files "
                          "for them").format(role=role, executors=", ".join(executors)))
            members = [r[0] for r in conn.execute(
                "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
                "JOIN pg_roles g ON g.oid = a.roleid WHERE g.rolname = %s ORDER BY 1", (role,))]
            if members:  # (a readers' group made an executor makes every reader one)
                done.append(_("role {role} is granted to {members}: each of them acts for "
                              "{executors} too").format(role=role, members=", ".join(members),
                                                        executors=", ".join(executors)))
            unnamed = [r[0] for r in conn.execute(
                "SELECT e FROM unnest(%s::text[]) WITH ORDINALITY u(e, n) WHERE NOT EXISTS "
                "(SELECT 1 FROM tracker.items WHERE e = ANY(owners)) ORDER BY n",
                (list(executors),))]
            if unnamed:  # (a spelling slip, or an executor whose measures come later)
                done.append(_("no measure names {executors} as its executor yet: check the "
                              "spelling ('tracker report --by owner'); the rights hold once "
                              "one does").format(executors=", ".join(unnamed)))
    except psycopg.Error as exc:
        _init_failed(exc, shown)
    finally:
        conn.close()
    return done


def rights(location: str) -> list[dict[str, Any]]:
    """``db rights``: each role with access to the tables — read, write, or the executors
    it acts for."""
    conn = connect(location)
    try:
        acting: dict[str, list[str]] = {}
        for role, executor in conn.execute(
                "SELECT role, executor FROM tracker.rights ORDER BY role, executor"):
            acting.setdefault(role, []).append(executor)
        grants: dict[str, set[str]] = {}
        # (the tables' own lists of grants, which every role reads: information_schema
        # shows each role only the grants of roles it has, so each saw another list)
        for grantee, privilege in conn.execute(
                "SELECT r.rolname, a.privilege_type FROM pg_class c "
                "CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee "
                "WHERE c.oid IN ('tracker.items'::regclass, 'tracker.events'::regclass) "
                "AND a.grantee <> c.relowner"):
            grants.setdefault(grantee, set()).add(privilege)
        found = []
        for role in sorted(set(grants) | set(acting)):
            if role in acting:
                kind = "executor"
            elif {"INSERT", "UPDATE", "DELETE"} & grants.get(role, set()):
                kind = "write"
            else:
                kind = "read"
            found.append({"role": role, "rights": kind, "executors": acting.get(role, [])})
        return found
    except psycopg.Error as exc:
        _init_failed(exc, display(location))
    finally:
        conn.close()


def _init_failed(exc: psycopg.Error, shown: str) -> NoReturn:
    state = exc.sqlstate or ""
    if state == "55P03":
        raise Busy(_("database is busy: {shown} is in use by another command; nothing was "
                     "changed. Try again.").format(shown=shown)) from None
    if state == "42501":
        raise StoreError(_("no permission to set up {shown}: {reason}; nothing was changed (run "
                           "'db init' as the database's owner)")
                         .format(shown=shown, reason=_first_line(exc))) from None
    raise StoreError(_("db init failed on {shown}: {reason}; nothing was changed")
                     .format(shown=shown, reason=_first_line(exc))) \
        from None
