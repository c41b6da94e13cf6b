//! `labrun class serve --db postgres://…` against a real PostgreSQL server:
//! two servers migrating one fresh database at once (under the advisory
//! lock), their classes kept apart, and a restart (also after kill -9)
//! keeping everything. Needs `LABRUN_TEST_POSTGRES` (a role that may
//! CREATE DATABASE): unset, the test says SKIPPED loudly; set but
//! unreachable, it fails.

mod support;

use labrun::checks::Status;
use labrun::class::protocol;
use sqlx::Connection;
use support::class::{ClassServer, check_event, passed};

const VAR: &str = "LABRUN_TEST_POSTGRES";

/// A fresh database on the test server, dropped at the end.
struct FreshDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

impl FreshDatabase {
    fn create(admin_url: &str) -> FreshDatabase {
        let name = format!("labrun_class_{}", support::class::event_id());
        let base = admin_url.split('?').next().unwrap();
        let (server, _) = base.rsplit_once('/').expect("a database URL");
        let url = format!("{server}/{name}");
        runtime().block_on(async {
            let mut conn = sqlx::PgConnection::connect(admin_url)
                .await
                .unwrap_or_else(|e| panic!("{VAR} is set but PostgreSQL is not reachable: {e}"));
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
        });
        FreshDatabase {
            admin_url: admin_url.to_string(),
            name,
            url,
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        runtime().block_on(async {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin_url).await {
                let _ = sqlx::query(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .execute(&mut conn)
                .await;
            }
        });
    }
}

fn postgres() -> Option<String> {
    match std::env::var(VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            // Straight to stderr, past the test harness's capture: a skip is seen.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: class_postgres needs PostgreSQL ({VAR}=postgres://user:password@host/db, a role that may CREATE DATABASE)"
            );
            None
        }
    }
}

#[test]
fn classes_in_one_postgres_database_are_kept_apart_and_survive_restarts() {
    let Some(admin) = postgres() else { return };
    let db = FreshDatabase::create(&admin);
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    // Two servers migrate the fresh database at the same moment: one by
    // --db, one by LABRUN_CLASS_DB.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            ClassServer::try_start(dir_a.path(), &["--db", &db.url, "--name", "morning"])
        });
        let b = s.spawn(|| {
            ClassServer::try_start_args(
                dir_b.path(),
                &[
                    "class",
                    "serve",
                    "--listen",
                    "127.0.0.1:0",
                    "--name",
                    "afternoon",
                ],
                &[("LABRUN_CLASS_DB", &db.url)],
            )
        });
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    let printed = a.printed.join("\n");
    assert!(
        printed.contains(&format!("/{} ", db.name)) || printed.contains(&format!("/{}\n", db.name)),
        "{printed}"
    );
    assert!(
        !printed.contains('@'),
        "a user or password printed: {printed}"
    );
    // Nothing on disk beside the servers: the class is in PostgreSQL.
    assert!(!dir_a.path().join("class.db").exists());

    let ada = a.join("Ada");
    let bob = b.join("Bob");
    assert_eq!(
        a.post_events(&ada.token, &[check_event(1, "s", Status::Pass, &[])])
            .status(),
        200
    );
    assert_eq!(
        b.post_events(&bob.token, &[check_event(1, "t", Status::Pass, &[])])
            .status(),
        200
    );
    // Nothing of one class with the other's code or tokens.
    assert_eq!(b.try_join(&a.code(), "Eve").status(), 404);
    let event = check_event(2, "x", Status::Pass, &[]);
    assert_eq!(
        b.post_events(&ada.token, std::slice::from_ref(&event))
            .status(),
        401
    );
    assert_eq!(a.get(protocol::CLASS, &b.instructor()).status(), 401);
    let state = b.state();
    assert_eq!(state.learners.len(), 1);
    assert_eq!(passed(&state, "Bob"), ["t"]);
    // Duplicates on PostgreSQL too.
    let again = check_event(3, "u", Status::Pass, &["s"]);
    let batch = [again.clone(), again];
    let ack: protocol::BatchAck = a.post_events(&ada.token, &batch).json().unwrap();
    assert_eq!((ack.stored, ack.duplicates), (1, 1));

    // Restarts: a stopped cleanly, b killed right after an ack.
    let code = a.code();
    let (status, _) = a.stop();
    assert!(status.success());
    b.kill_9();
    let a = ClassServer::try_start(dir_a.path(), &["--db", &db.url, "--name", "morning"]).unwrap();
    assert_eq!(a.code(), code);
    let state = a.state();
    assert_eq!(state.learners.len(), 1);
    assert_eq!(state.learners[0].events, 2);
    assert_eq!(passed(&state, "Ada"), ["s", "u"]);
    let b =
        ClassServer::try_start(dir_b.path(), &["--db", &db.url, "--name", "afternoon"]).unwrap();
    assert_eq!(passed(&b.state(), "Bob"), ["t"]);
    drop((a, b));
}
