//! Where classes are kept: one SQL schema and its migrations for an embedded
//! SQLite file and a shared PostgreSQL server, through sqlx's `Any` driver
//! (runtime SQL, `$1` placeholders, no database at build time). Tokens are
//! kept only as SHA-256; an event is stored once per class and id, and a
//! batch is one transaction, so an acknowledgement means it is on disk.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};
use std::time::Duration;

/// The schema, in order; each applied once, recorded in `schema_migrations`.
/// Only types both databases share: TEXT, BIGINT (SQLite's INTEGER).
const MIGRATIONS: &[(i64, &[&str])] = &[(
    1,
    &[
        "CREATE TABLE classes (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, \
         join_code TEXT NOT NULL UNIQUE, instructor_token_hash TEXT NOT NULL, \
         created_at TEXT NOT NULL)",
        "CREATE TABLE learners (id TEXT PRIMARY KEY, \
         class_id TEXT NOT NULL REFERENCES classes (id), position BIGINT NOT NULL, \
         name TEXT NOT NULL, workspace_id TEXT NOT NULL, lesson TEXT NOT NULL, \
         token_hash TEXT NOT NULL UNIQUE, joined_at TEXT NOT NULL)",
        "CREATE INDEX learners_by_class ON learners (class_id, position)",
        "CREATE TABLE events (class_id TEXT NOT NULL REFERENCES classes (id), \
         event_id TEXT NOT NULL, learner_id TEXT NOT NULL REFERENCES learners (id), \
         seq BIGINT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, \
         received_at TEXT NOT NULL, body TEXT NOT NULL, \
         PRIMARY KEY (class_id, event_id))",
        "CREATE INDEX events_by_learner ON events (class_id, learner_id, seq)",
    ],
)];

/// Any number held by every server migrating one PostgreSQL database.
const MIGRATION_LOCK: i64 = 0x006c_6162_7275_6e0d;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}: the database must be sqlite://FILE or postgres://…")]
    Scheme(String),
    #[error("could not open the class database {db}: {source}")]
    Open { db: String, source: sqlx::Error },
    #[error("class database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("class database: a stored event of learner {0} is damaged: {1}")]
    Damaged(String, serde_json::Error),
    #[error("event {0} was already stored for another learner")]
    Taken(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A class as stored.
#[derive(Debug, Clone)]
pub struct ClassRow {
    pub id: String,
    pub name: String,
    pub join_code: String,
    pub instructor_token_hash: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct LearnerRow {
    pub id: String,
    pub position: i64,
    pub name: String,
    pub workspace_id: String,
    pub lesson: String,
    pub token_hash: String,
    pub joined_at: String,
}

/// One event to store, already checked and serialised.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_id: String,
    pub seq: i64,
    pub kind: String,
    pub at: String,
    pub body: String,
}

/// What the store knows of a learner's events, to rebuild the class.
#[derive(Debug, Clone)]
pub struct LearnerEvents {
    pub learner_id: String,
    pub count: i64,
    pub last_seen_at: String,
    pub seq: i64,
    pub at: String,
    /// The event of the highest `seq`, as stored (JSON).
    pub body: String,
}

pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// `db` without its user, password and parameters, to print.
pub fn describe(db: &str) -> String {
    match db.split_once("://") {
        Some((scheme, rest)) if scheme != "sqlite" => {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            let path = path.split('?').next().unwrap_or(path);
            format!("{scheme}://{host}/{path}")
        }
        _ => db.to_string(),
    }
}

impl Store {
    /// Connects (creating a SQLite file), and migrates.
    pub async fn open(db: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let (backend, url) = if let Some(path) = db.strip_prefix("sqlite://") {
            let sep = if path.contains('?') { '&' } else { '?' };
            (Backend::Sqlite, format!("sqlite://{path}{sep}mode=rwc"))
        } else if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            (Backend::Postgres, db.to_string())
        } else {
            return Err(StoreError::Scheme(describe(db)));
        };
        let options = match backend {
            // One writer at a time anyway; a few readers beside it.
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(4)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // WAL: readers never wait for the writer; FULL: a commit
                        // is on disk before it is acknowledged.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA foreign_keys = ON",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                        Ok(())
                    })
                }),
            Backend::Postgres => AnyPoolOptions::new().max_connections(10),
        };
        let pool = options
            .acquire_timeout(Duration::from_secs(30))
            .connect(&url)
            .await
            .map_err(|source| StoreError::Open {
                db: describe(db),
                source,
            })?;
        let store = Store { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations not yet applied; on PostgreSQL under an
    /// advisory lock, as two servers may start against one database.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT 1 FROM pg_advisory_lock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        let result = async {
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS schema_migrations \
                 (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            .execute(&mut *conn)
            .await?;
            for (version, statements) in MIGRATIONS {
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(*version)
                    .fetch_optional(&mut *tx)
                    .await?;
                if done.is_some() {
                    continue;
                }
                for statement in *statements {
                    sqlx::query(statement).execute(&mut *tx).await?;
                }
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(*version)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok::<(), sqlx::Error>(())
        }
        .await;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        Ok(result?)
    }

    /// The class named `name`, if there is one.
    pub async fn class(&self, name: &str) -> Result<Option<ClassRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, join_code, instructor_token_hash, created_at \
             FROM classes WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| ClassRow {
            id: r.get(0),
            name: r.get(1),
            join_code: r.get(2),
            instructor_token_hash: r.get(3),
            created_at: r.get(4),
        }))
    }

    /// Adds `class` unless one of its name is there already (another server
    /// may have created it a moment ago); the class of that name after.
    pub async fn create_class(&self, class: &ClassRow) -> Result<ClassRow, StoreError> {
        sqlx::query(
            "INSERT INTO classes (id, name, join_code, instructor_token_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&class.id)
        .bind(&class.name)
        .bind(&class.join_code)
        .bind(&class.instructor_token_hash)
        .bind(&class.created_at)
        .execute(&self.pool)
        .await?;
        Ok(self
            .class(&class.name)
            .await?
            .unwrap_or_else(|| class.clone()))
    }

    /// The class's learners, in joining order.
    pub async fn learners(&self, class_id: &str) -> Result<Vec<LearnerRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, position, name, workspace_id, lesson, token_hash, joined_at \
             FROM learners WHERE class_id = $1 ORDER BY position, joined_at, id",
        )
        .bind(class_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| LearnerRow {
                id: r.get(0),
                position: r.get(1),
                name: r.get(2),
                workspace_id: r.get(3),
                lesson: r.get(4),
                token_hash: r.get(5),
                joined_at: r.get(6),
            })
            .collect())
    }

    pub async fn add_learner(&self, class_id: &str, l: &LearnerRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO learners (id, class_id, position, name, workspace_id, lesson, \
             token_hash, joined_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&l.id)
        .bind(class_id)
        .bind(l.position)
        .bind(&l.name)
        .bind(&l.workspace_id)
        .bind(&l.lesson)
        .bind(&l.token_hash)
        .bind(&l.joined_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Per learner with events: how many, when last received, and the event
    /// of the highest `seq` (the first received of equals).
    pub async fn learner_events(&self, class_id: &str) -> Result<Vec<LearnerEvents>, StoreError> {
        let counts = sqlx::query(
            "SELECT learner_id, COUNT(*), MAX(received_at) FROM events \
             WHERE class_id = $1 GROUP BY learner_id",
        )
        .bind(class_id)
        .fetch_all(&self.pool)
        .await?;
        let latest = sqlx::query(
            "SELECT e.learner_id, e.seq, e.at, e.body FROM events e \
             WHERE e.class_id = $1 AND e.seq = (SELECT MAX(m.seq) FROM events m \
             WHERE m.class_id = e.class_id AND m.learner_id = e.learner_id) \
             ORDER BY e.received_at, e.event_id",
        )
        .bind(class_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in counts {
            let learner_id: String = row.get(0);
            let Some(top) = latest.iter().find(|r| r.get::<String, _>(0) == learner_id) else {
                continue;
            };
            out.push(LearnerEvents {
                count: row.get(1),
                last_seen_at: row.get(2),
                seq: top.get(1),
                at: top.get(2),
                body: top.get(3),
                learner_id,
            });
        }
        Ok(out)
    }

    /// Stores `events` of `learner_id` in one transaction: for each, whether
    /// it is new (`false`: stored before, unchanged). An id stored for
    /// another learner fails the whole batch.
    pub async fn append(
        &self,
        class_id: &str,
        learner_id: &str,
        received_at: &str,
        events: &[NewEvent],
    ) -> Result<Vec<bool>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut stored = Vec::with_capacity(events.len());
        for e in events {
            let done = sqlx::query(
                "INSERT INTO events (class_id, event_id, learner_id, seq, kind, at, \
                 received_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (class_id, event_id) DO NOTHING",
            )
            .bind(class_id)
            .bind(&e.event_id)
            .bind(learner_id)
            .bind(e.seq)
            .bind(&e.kind)
            .bind(&e.at)
            .bind(received_at)
            .bind(&e.body)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                let owner: String = sqlx::query(
                    "SELECT learner_id FROM events WHERE class_id = $1 AND event_id = $2",
                )
                .bind(class_id)
                .bind(&e.event_id)
                .fetch_one(&mut *tx)
                .await?
                .get(0);
                if owner != learner_id {
                    return Err(StoreError::Taken(e.event_id.clone()));
                }
            }
            stored.push(done.rows_affected() == 1);
        }
        tx.commit().await?;
        Ok(stored)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// RFC 3339 in UTC with milliseconds: one width, so text order is time order.
pub fn now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    fn class(name: &str) -> ClassRow {
        ClassRow {
            id: format!("id-{name}"),
            name: name.into(),
            join_code: format!("code-{name}"),
            instructor_token_hash: "h".into(),
            created_at: now(),
        }
    }

    fn learner(id: &str, position: i64) -> LearnerRow {
        LearnerRow {
            id: id.into(),
            position,
            name: format!("name {id}"),
            workspace_id: "w".into(),
            lesson: "l".into(),
            token_hash: format!("hash-{id}"),
            joined_at: now(),
        }
    }

    fn event(id: &str, seq: i64) -> NewEvent {
        NewEvent {
            event_id: id.into(),
            seq,
            kind: "check".into(),
            at: now(),
            body: format!("{{\"seq\":{seq}}}"),
        }
    }

    #[test]
    fn a_sqlite_store_keeps_classes_learners_and_events_once_each() {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("class.db").display());
        runtime().block_on(async {
            let store = Store::open(&db).await.unwrap();
            assert!(store.class("a").await.unwrap().is_none());
            let a = store.create_class(&class("a")).await.unwrap();
            // A second create of the same name finds the first.
            let mut again = class("a");
            again.id = "other".into();
            assert_eq!(store.create_class(&again).await.unwrap().id, a.id);
            let b = store.create_class(&class("b")).await.unwrap();
            store.add_learner(&a.id, &learner("l1", 1)).await.unwrap();
            store.add_learner(&b.id, &learner("l2", 1)).await.unwrap();

            let stored = store
                .append(
                    &a.id,
                    "l1",
                    &now(),
                    &[event("e1", 2), event("e2", 1), event("e1", 2)],
                )
                .await
                .unwrap();
            assert_eq!(stored, [true, true, false]);
            // Another learner cannot take an id; the batch changes nothing.
            let taken = store
                .append(&a.id, "l2", &now(), &[event("e3", 3), event("e1", 9)])
                .await
                .unwrap_err();
            assert!(
                matches!(taken, StoreError::Taken(ref id) if id == "e1"),
                "{taken}"
            );
            store.close().await;

            // Reopened (migrations already applied): everything is there.
            let store = Store::open(&db).await.unwrap();
            let learners = store.learners(&a.id).await.unwrap();
            assert_eq!(learners.len(), 1);
            assert_eq!(learners[0].name, "name l1");
            let events = store.learner_events(&a.id).await.unwrap();
            assert_eq!(events.len(), 1);
            assert_eq!((events[0].count, events[0].seq), (2, 2));
            assert_eq!(events[0].body, "{\"seq\":2}");
            assert!(store.learner_events(&b.id).await.unwrap().is_empty());
        });
    }

    #[test]
    fn a_password_is_never_printed_and_other_schemes_are_refused() {
        assert_eq!(
            describe("postgres://u:secret@db.example:5432/classes?sslmode=require"),
            "postgres://db.example:5432/classes"
        );
        assert_eq!(describe("sqlite://class.db"), "sqlite://class.db");
        let error = runtime().block_on(Store::open("mysql://x")).err().unwrap();
        assert!(error.to_string().contains("sqlite://FILE"), "{error}");
    }
}
