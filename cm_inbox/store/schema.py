"""The database schema, as forward migrations applied in order on open.

``PRAGMA user_version`` records how far a file has been migrated. A file whose
version is higher than the last migration here was written by a newer
cm-inbox and is refused rather than misread.
"""

from __future__ import annotations

STATUSES = "('new','snoozed','escalated','replied','done','spam')"
REPLY_STATES = "('draft','queued','sending','sent','failed')"

# The author text indexed beside each comment: handle and display name.
_AUTHOR_TEXT = "a.handle || ' ' || coalesce(a.display_name, '')"

# Events that ask something of the network: the user's spam and hide marks, and
# every way the user closes a comment (then marked read where the network can).
MODERATION_MARKS = "('spam', 'hide', 'done', 'escalation_close', 'outbox:sent')"
# An event ``m`` that closes a comment for good: the user's, or a reply of ours sent.
_CLOSES = (
    "((m.action IN ('done', 'spam', 'hide', 'escalation_close') AND m.batch > 0)"
    " OR m.action = 'outbox:sent')"
)
# Versions before moderation_due wrote the spam report's answer so.
_OLD_SPAM_ANSWER = "CASE k.action WHEN 'spam' THEN 'network:spam-reported' END"

# Statuses still waiting for an answer.
OPEN_STATUSES = "('new','snoozed','escalated')"
# 1 for a row of the Unanswered criticism view, else 0 (never NULL: the
# triggers compare old and new). ``row`` is new or old.
_UNANSWERED = (
    "({row}.sentiment IS 'negative' AND {row}.status IN "
    + OPEN_STATUSES
    + " AND {row}.is_ours = 0)"
)
# The key of a comment's line in comment_tallies, and the match for it.
_TALLY_KEY = (
    "{row}.created_at / 3600, {row}.account_id, {row}.status, coalesce({row}.language, ''),"
    " coalesce({row}.sentiment, ''), coalesce({row}.intents, '')"
)
_TALLY_MATCH = (
    "hour = {row}.created_at / 3600 AND account_id = {row}.account_id AND status = {row}.status"
    " AND language = coalesce({row}.language, '') AND sentiment = coalesce({row}.sentiment, '')"
    " AND intents = coalesce({row}.intents, '')"
)

MIGRATIONS: list[str] = [
    # 1: the first schema.
    f"""
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        network TEXT NOT NULL,
        name TEXT NOT NULL,
        handle TEXT,
        created_at INTEGER NOT NULL,
        UNIQUE (network, name)
    );

    CREATE TABLE authors (
        id INTEGER PRIMARY KEY,
        network TEXT NOT NULL,
        handle TEXT NOT NULL,
        -- The handle reduced to its name part ("camille-dev.bsky.social" and
        -- "camille_dev@mastodon.social" both give "camilledev"), to find the
        -- same person on other networks.
        handle_key TEXT NOT NULL DEFAULT '',
        -- The display name folded the same way: a handle alone links namesakes.
        name_key TEXT NOT NULL DEFAULT '',
        display_name TEXT,
        followers INTEGER,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        UNIQUE (network, handle)
    );
    CREATE INDEX authors_handle_key ON authors (handle_key);

    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        remote_id TEXT NOT NULL,
        parent_remote_id TEXT,
        root_remote_id TEXT NOT NULL,
        author_id INTEGER NOT NULL REFERENCES authors(id),
        text TEXT NOT NULL,
        markup TEXT,
        url TEXT,
        created_at INTEGER NOT NULL,
        fetched_at INTEGER NOT NULL,
        language TEXT,
        sentiment TEXT,
        sentiment_score REAL,
        intents TEXT,
        priority REAL NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN {STATUSES}),
        snoozed_until INTEGER,
        is_ours INTEGER NOT NULL DEFAULT 0,
        -- The view a status belongs to, so each view is one index range.
        bucket TEXT GENERATED ALWAYS AS (
            CASE WHEN status IN ('replied', 'done') THEN 'handled' ELSE status END
        ) VIRTUAL,
        UNIQUE (account_id, remote_id)
    );
    CREATE INDEX comments_bucket_time ON comments (bucket, created_at, id);
    CREATE INDEX comments_bucket_priority ON comments (bucket, priority DESC, created_at, id);
    CREATE INDEX comments_time ON comments (created_at, id);
    CREATE INDEX comments_priority ON comments (priority DESC, created_at, id);
    CREATE INDEX comments_parent ON comments (account_id, parent_remote_id);
    CREATE INDEX comments_root ON comments (account_id, root_remote_id);
    CREATE INDEX comments_author ON comments (author_id, created_at);
    CREATE INDEX comments_snoozed ON comments (snoozed_until) WHERE status = 'snoozed';
    CREATE INDEX comments_language ON comments (language, created_at);

    CREATE TABLE comment_labels (
        comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        PRIMARY KEY (comment_id, label)
    ) WITHOUT ROWID;
    CREATE INDEX comment_labels_label ON comment_labels (label, comment_id);

    CREATE TABLE replies (
        id INTEGER PRIMARY KEY,
        comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        text TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN {REPLY_STATES}),
        idempotency_key TEXT NOT NULL UNIQUE,
        remote_id TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        queued_at INTEGER,
        sent_at INTEGER
    );
    CREATE INDEX replies_state ON replies (state, updated_at);
    CREATE INDEX replies_comment ON replies (comment_id);
    -- One draft per comment: the composer reopens it.
    CREATE UNIQUE INDEX replies_one_draft ON replies (comment_id) WHERE state = 'draft';

    CREATE TABLE escalations (
        id INTEGER PRIMARY KEY,
        comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
        team TEXT NOT NULL,
        severity TEXT,
        note TEXT,
        state TEXT NOT NULL DEFAULT 'open',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX escalations_comment ON escalations (comment_id);

    -- Every triage action. A batch is what one key press did; undo works by batch.
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        batch INTEGER NOT NULL,
        comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,
        reply_id INTEGER REFERENCES replies(id) ON DELETE SET NULL,
        action TEXT NOT NULL,
        before TEXT,
        after TEXT,
        detail TEXT,
        undone_at INTEGER
    );
    CREATE INDEX events_batch ON events (batch);
    CREATE INDEX events_comment ON events (comment_id, at);
    CREATE INDEX events_action ON events (action, at);

    -- Counts per view kept by triggers, so the header never counts a million rows.
    CREATE TABLE bucket_counts (bucket TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO bucket_counts (bucket, n) VALUES
        ('new', 0), ('snoozed', 0), ('escalated', 0), ('handled', 0), ('spam', 0);
    CREATE TRIGGER comments_count_ai AFTER INSERT ON comments BEGIN
        UPDATE bucket_counts SET n = n + 1 WHERE bucket = new.bucket;
    END;
    CREATE TRIGGER comments_count_ad AFTER DELETE ON comments BEGIN
        UPDATE bucket_counts SET n = n - 1 WHERE bucket = old.bucket;
    END;
    CREATE TRIGGER comments_count_au AFTER UPDATE OF status ON comments
    WHEN old.bucket IS NOT new.bucket BEGIN
        UPDATE bucket_counts SET n = n - 1 WHERE bucket = old.bucket;
        UPDATE bucket_counts SET n = n + 1 WHERE bucket = new.bucket;
    END;

    -- Full-text search over the text and the author, stored once: the index reads
    -- its content from this view, and the triggers keep it in step.
    CREATE VIEW comments_fts_source AS
        SELECT c.id AS id, c.text AS text, {_AUTHOR_TEXT} AS author
        FROM comments c JOIN authors a ON a.id = c.author_id;
    CREATE VIRTUAL TABLE comments_fts USING fts5 (
        text, author,
        content = 'comments_fts_source', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN
        INSERT INTO comments_fts (rowid, text, author)
        SELECT new.id, new.text, {_AUTHOR_TEXT} FROM authors a WHERE a.id = new.author_id;
    END;
    CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN
        INSERT INTO comments_fts (comments_fts, rowid, text, author)
        SELECT 'delete', old.id, old.text, {_AUTHOR_TEXT} FROM authors a WHERE a.id = old.author_id;
    END;
    CREATE TRIGGER comments_fts_au AFTER UPDATE OF text, author_id ON comments
    WHEN old.text IS NOT new.text OR old.author_id IS NOT new.author_id BEGIN
        INSERT INTO comments_fts (comments_fts, rowid, text, author)
        SELECT 'delete', old.id, old.text, {_AUTHOR_TEXT} FROM authors a WHERE a.id = old.author_id;
        INSERT INTO comments_fts (rowid, text, author)
        SELECT new.id, new.text, {_AUTHOR_TEXT} FROM authors a WHERE a.id = new.author_id;
    END;
    CREATE TRIGGER authors_fts_au AFTER UPDATE OF handle, display_name ON authors
    WHEN old.handle IS NOT new.handle OR old.display_name IS NOT new.display_name BEGIN
        INSERT INTO comments_fts (comments_fts, rowid, text, author)
        SELECT 'delete', c.id, c.text, old.handle || ' ' || coalesce(old.display_name, '')
        FROM comments c WHERE c.author_id = old.id;
        INSERT INTO comments_fts (rowid, text, author)
        SELECT c.id, c.text, new.handle || ' ' || coalesce(new.display_name, '')
        FROM comments c WHERE c.author_id = new.id;
    END;
    """,
    # 2: accounts connected to their networks, sync cursors, items set aside.
    """
    -- Non-secret facts a connector needs (instance URL, PDS, DID), as JSON.
    -- Secrets live in the OS keyring or the owner-only secrets file, never here.
    ALTER TABLE accounts ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
    -- 1 once `accounts add` connected it: only connected accounts are synced.
    ALTER TABLE accounts ADD COLUMN connected INTEGER NOT NULL DEFAULT 0;
    -- The network's own words when the credentials stopped working.
    ALTER TABLE accounts ADD COLUMN login_problem TEXT;
    ALTER TABLE accounts ADD COLUMN last_sync_at INTEGER;
    ALTER TABLE accounts ADD COLUMN last_error TEXT;

    -- Network facts a reply needs (Mastodon visibility, Bluesky cids), as JSON.
    ALTER TABLE comments ADD COLUMN extra TEXT;

    -- Where the next sync of an account starts. Written in the same
    -- transaction as the items it covers, so a crash never skips or doubles.
    CREATE TABLE sync_cursors (
        account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        cursor TEXT,
        updated_at INTEGER NOT NULL
    );

    -- Items a network sent that could not be read, kept for `cm-inbox doctor`.
    CREATE TABLE set_aside (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        received_at INTEGER NOT NULL,
        reason TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE INDEX set_aside_time ON set_aside (received_at);
    """,
    # 3: the outbox as a state machine: retries, leases, replies that may have left.
    """
    -- A failed reply with a next attempt time is retried then; without one it
    -- waits for the user (the network refused it for good).
    ALTER TABLE replies ADD COLUMN next_attempt_at INTEGER;
    -- Who is sending it and until when: another sender may take it only after
    -- the lease ran out (the first one died), and looks on the network first.
    ALTER TABLE replies ADD COLUMN lease_owner TEXT;
    ALTER TABLE replies ADD COLUMN lease_until INTEGER;
    -- 1 once an attempt may have reached the network without an answer saying
    -- so: before any retry, the sender looks for the reply on the network.
    ALTER TABLE replies ADD COLUMN maybe_sent INTEGER NOT NULL DEFAULT 0;
    UPDATE replies SET maybe_sent = 1 WHERE state = 'sending';
    CREATE INDEX replies_outbox ON replies (account_id, state, queued_at, id);
    """,
    # 4: traction, as the network counted it at the last fetch (feeds the priority).
    """
    ALTER TABLE comments ADD COLUMN likes INTEGER;
    ALTER TABLE comments ADD COLUMN reposts INTEGER;
    ALTER TABLE comments ADD COLUMN replies INTEGER;
    """,
    # 5: keyword watches: where each watch source (a search, a feed) starts next time.
    """
    -- One row per watch source ("lumo|mastodon-search|lumo-m", "lumo|feed|https://...").
    -- The cursor is written in the same transaction as the items it covers, as
    -- for accounts; the last outcome is kept for `cm-inbox doctor`.
    CREATE TABLE watch_sources (
        key TEXT PRIMARY KEY,
        cursor TEXT,
        updated_at INTEGER NOT NULL,
        last_sync_at INTEGER,
        last_error TEXT
    );
    """,
    # 6: the composer: which variant of each template went out last, and recent replies
    # found fast for the sameness check.
    """
    -- One row per variant of a template in a language, with the order it was last
    -- used in (seq grows by one per insertion): the next insertion takes another.
    -- variant is a hash of the variant's words, so editing a template file never
    -- points at the wrong variant.
    CREATE TABLE template_uses (
        template_id TEXT NOT NULL,
        language TEXT NOT NULL,
        variant TEXT NOT NULL,
        seq INTEGER NOT NULL,
        used_at INTEGER NOT NULL,
        PRIMARY KEY (template_id, language, variant)
    ) WITHOUT ROWID;
    -- When a reply went out (or is due to): the sameness check reads the last days.
    CREATE INDEX replies_went_out ON replies (coalesce(sent_at, queued_at, created_at))
        WHERE state IN ('queued', 'sending', 'sent', 'failed');
    """,
    # 7: response targets, the Unanswered criticism view, stats and spike alerts.
    f"""
    -- Unanswered criticism: negative comments still open (a queued or sent reply
    -- makes a comment 'replied'), oldest first, one index range.
    CREATE INDEX comments_unanswered ON comments (created_at, id)
        WHERE sentiment = 'negative' AND status IN {OPEN_STATUSES} AND is_ours = 0;
    -- Negative comments by time: the spike alert's last hour and its words.
    CREATE INDEX comments_negative ON comments (created_at, id)
        WHERE sentiment = 'negative' AND is_ours = 0;

    -- The view's count for the header, kept by triggers like the other views'.
    INSERT INTO bucket_counts (bucket, n)
        SELECT 'unanswered', count(*) FROM comments
        WHERE sentiment = 'negative' AND status IN {OPEN_STATUSES} AND is_ours = 0;
    CREATE TRIGGER comments_unanswered_ai AFTER INSERT ON comments
    WHEN {_UNANSWERED.format(row="new")} BEGIN
        UPDATE bucket_counts SET n = n + 1 WHERE bucket = 'unanswered';
    END;
    CREATE TRIGGER comments_unanswered_ad AFTER DELETE ON comments
    WHEN {_UNANSWERED.format(row="old")} BEGIN
        UPDATE bucket_counts SET n = n - 1 WHERE bucket = 'unanswered';
    END;
    CREATE TRIGGER comments_unanswered_au AFTER UPDATE OF status, sentiment, is_ours ON comments
    WHEN {_UNANSWERED.format(row="old")} IS NOT {_UNANSWERED.format(row="new")} BEGIN
        UPDATE bucket_counts
        SET n = n + CASE WHEN {_UNANSWERED.format(row="new")} THEN 1 ELSE -1 END
        WHERE bucket = 'unanswered';
    END;

    -- Comments per hour of creation, account, status, language, sentiment and
    -- intents, kept by triggers: stats and charts over a million comments sum a
    -- few thousand rows instead of grouping the table. The brand's own posts
    -- are not part of what it receives.
    CREATE TABLE comment_tallies (
        hour INTEGER NOT NULL,
        account_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        language TEXT NOT NULL,
        sentiment TEXT NOT NULL,
        intents TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (hour, account_id, status, language, sentiment, intents)
    ) WITHOUT ROWID;
    INSERT INTO comment_tallies
        SELECT {_TALLY_KEY.format(row="c")}, count(*) FROM comments c
        WHERE c.is_ours = 0 GROUP BY 1, 2, 3, 4, 5, 6;
    CREATE TRIGGER comments_tally_ai AFTER INSERT ON comments WHEN new.is_ours = 0 BEGIN
        INSERT INTO comment_tallies VALUES ({_TALLY_KEY.format(row="new")}, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER comments_tally_ad AFTER DELETE ON comments WHEN old.is_ours = 0 BEGIN
        UPDATE comment_tallies SET n = n - 1 WHERE {_TALLY_MATCH.format(row="old")};
    END;
    CREATE TRIGGER comments_tally_au AFTER UPDATE OF
        status, language, sentiment, intents, account_id, created_at, is_ours ON comments
    WHEN old.status IS NOT new.status OR old.language IS NOT new.language
        OR old.sentiment IS NOT new.sentiment OR old.intents IS NOT new.intents
        OR old.account_id IS NOT new.account_id OR old.created_at IS NOT new.created_at
        OR old.is_ours IS NOT new.is_ours
    BEGIN
        UPDATE comment_tallies SET n = n - 1
        WHERE old.is_ours = 0 AND {_TALLY_MATCH.format(row="old")};
        INSERT INTO comment_tallies SELECT {_TALLY_KEY.format(row="new")}, 1
        WHERE new.is_ours = 0
        ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    """,
    # 8: escalations tracked to the end: notes, the team's answer, webhook deliveries.
    """
    -- open -> answered -> closed (withdrawn: undone). When each step happened.
    ALTER TABLE escalations ADD COLUMN answered_at INTEGER;
    ALTER TABLE escalations ADD COLUMN closed_at INTEGER;
    CREATE INDEX escalations_state ON escalations (state, created_at);

    -- Notes added after the escalation, and the team's answers (kind 'answer').
    CREATE TABLE escalation_notes (
        id INTEGER PRIMARY KEY,
        escalation_id INTEGER NOT NULL REFERENCES escalations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('note', 'answer')),
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX escalation_notes_escalation ON escalation_notes (escalation_id, id);

    -- Messages to a team's chat webhook. The URL is a secret and never stored
    -- here: it is read from the config (or the environment, or the keyring) at
    -- each attempt; ``host`` keeps where the last attempt went, for display.
    -- 'unsure': an attempt went out and no answer was heard (a timeout waiting
    -- for it, a sender killed mid-request); webhooks take no idempotency key,
    -- so such a message is never resent without the user saying so.
    CREATE TABLE webhook_deliveries (
        id INTEGER PRIMARY KEY,
        escalation_id INTEGER NOT NULL REFERENCES escalations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('escalated', 'withdrawn')),
        team TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
            ('pending', 'sending', 'delivered', 'failed', 'unsure', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_error TEXT,
        last_status INTEGER,
        host TEXT,
        lease_owner TEXT,
        lease_until INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        delivered_at INTEGER
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at, id);
    CREATE INDEX webhook_deliveries_escalation ON webhook_deliveries (escalation_id, id);
    """,
    # 9: when each comment's priority last counted its wait (see cm_inbox.scoring).
    """
    ALTER TABLE comments ADD COLUMN scored_at INTEGER;
    -- How far the last refresh of priorities reached, so the next one starts there.
    CREATE TABLE scoring (id INTEGER PRIMARY KEY CHECK (id = 1), refreshed_at INTEGER NOT NULL);
    -- Comments stored before scoring existed (an upgraded inbox): empty once scored,
    -- so finding whether any are left costs nothing.
    CREATE INDEX comments_unscored ON comments (id) WHERE sentiment IS NULL;
    """,
    # 10: the same person on two networks, as the user confirmed (or denied) it.
    """
    -- One row per pair the user decided on, the lower author id first.
    -- same = 1: "the same person" (their comments and our replies show together);
    -- same = 0: "not the same", so the suggestion is not made again.
    CREATE TABLE author_links (
        author_a INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
        author_b INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
        same INTEGER NOT NULL CHECK (same IN (0, 1)),
        decided_at INTEGER NOT NULL,
        PRIMARY KEY (author_a, author_b),
        CHECK (author_a < author_b)
    ) WITHOUT ROWID;
    CREATE INDEX author_links_b ON author_links (author_b, author_a);
    -- Suggestions look for close display names as well as close handles.
    CREATE INDEX authors_name_key ON authors (name_key);
    """,
    # 11: moderation on the networks: what the triage keys still owe each network.
    f"""
    -- When the account was (last) connected: comments closed before it are never
    -- marked read there, so a first sync does not mark a whole past read.
    ALTER TABLE accounts ADD COLUMN connected_at INTEGER;
    UPDATE accounts SET connected_at = CAST(strftime('%s', 'now') AS INTEGER)
        WHERE connected = 1;

    -- One row per comment and network action a key asked for while its account was
    -- connected, until the network answers (see store/moderation.py, which checks
    -- each against the events before it goes). Triggers keep it, so every way of
    -- closing a comment counts and an undo takes the row back; a sync reads one
    -- range of its account's rows instead of walking the events of a million comments.
    CREATE TABLE moderation_due (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        action TEXT NOT NULL CHECK (action IN ('spam', 'hide', 'read')),
        comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
        marked_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, action, comment_id)
    ) WITHOUT ROWID;
    CREATE TRIGGER events_moderation_mark AFTER INSERT ON events
    WHEN new.comment_id IS NOT NULL AND new.action IN {MODERATION_MARKS}
        AND (new.batch > 0 OR new.action = 'outbox:sent')
    BEGIN
        INSERT OR REPLACE INTO moderation_due (account_id, action, comment_id, marked_at)
        SELECT c.account_id, k.action, new.comment_id, new.at
        FROM comments c JOIN accounts a ON a.id = c.account_id
        JOIN (SELECT 'read' AS action
              UNION ALL SELECT new.action WHERE new.action IN ('spam', 'hide')) k
        WHERE c.id = new.comment_id AND c.is_ours = 0 AND a.connected = 1
        AND NOT EXISTS (SELECT 1 FROM events o WHERE o.comment_id = new.comment_id
                        AND o.action IN ('network:' || k.action, {_OLD_SPAM_ANSWER}));
    END;
    CREATE TRIGGER events_moderation_undo AFTER UPDATE OF undone_at ON events
    WHEN old.undone_at IS NULL AND new.undone_at IS NOT NULL AND new.comment_id IS NOT NULL
        AND new.action IN {MODERATION_MARKS}
    BEGIN
        DELETE FROM moderation_due
        WHERE account_id = (SELECT account_id FROM comments WHERE id = new.comment_id)
        AND action IN ('read', new.action) AND comment_id = new.comment_id
        AND NOT EXISTS (SELECT 1 FROM events m WHERE m.comment_id = new.comment_id
            AND m.undone_at IS NULL AND CASE moderation_due.action
                WHEN 'read' THEN {_CLOSES}
                ELSE m.action = moderation_due.action AND m.batch > 0 END);
    END;
    -- What the spam key marked before this version and the forum has not heard of.
    INSERT OR IGNORE INTO moderation_due (account_id, action, comment_id, marked_at)
        SELECT c.account_id, 'spam', e.comment_id, max(e.at) FROM events e
        JOIN comments c ON c.id = e.comment_id JOIN accounts a ON a.id = c.account_id
        WHERE e.action = 'spam' AND e.undone_at IS NULL AND e.batch > 0
        AND c.status = 'spam' AND c.is_ours = 0 AND a.connected = 1
        AND NOT EXISTS (SELECT 1 FROM events r WHERE r.comment_id = e.comment_id
                        AND r.action = 'network:spam-reported')
        GROUP BY e.comment_id;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
