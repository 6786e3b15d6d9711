//! The shared budget's GCRA rows on a real PostgreSQL: a burst admitted,
//! then one request per emission interval; a 429's pause holds every
//! budget built for the same base URL; another base URL is another budget.

mod common;

use std::time::Duration;

use common::Postgres;
use scim_client::pacing::{RateRule, RateTable};
use scim_pg::PgBudget;

fn post(url: &str) -> http::Request<()> {
    http::Request::post(format!("{url}/Users"))
        .body(())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_then_one_per_interval_shared_by_every_handle_of_a_base_url() {
    let Some(pg) = Postgres::start("budget") else {
        return;
    };
    let store = pg.store().await;
    // 60 writes per minute, burst 3, at the whole rate: T = 1 s, τ = 2 s.
    let table = RateTable::new(vec![RateRule::writes(
        "writes",
        60,
        Duration::from_secs(60),
        3,
    )]);
    let org = "https://org-a.test/scim/v2";
    let first = PgBudget::new(&store, org, &table, 1.0).await.unwrap();
    let second = PgBudget::new(&store, &format!("{org}/"), &table, 1.0)
        .await
        .unwrap();
    for budget in [&first, &second, &first] {
        assert_eq!(budget.admit(&post(org)).await.unwrap(), Duration::ZERO);
    }
    let wait = second.admit(&post(org)).await.unwrap();
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(1),
        "{wait:?}"
    );
    // Asking again took nothing: the wait only shrinks.
    assert!(first.admit(&post(org)).await.unwrap() <= wait);
    // Reads are in no rule of this table: never held.
    let get = http::Request::get(format!("{org}/Users")).body(()).unwrap();
    assert_eq!(first.admit(&get).await.unwrap(), Duration::ZERO);
    // Another org's budget is untouched.
    let other = "https://org-b.test/scim/v2";
    let elsewhere = PgBudget::new(&store, other, &table, 1.0).await.unwrap();
    assert_eq!(elsewhere.admit(&post(other)).await.unwrap(), Duration::ZERO);
    // A 429 asking for 30 s holds that org's writes for every handle.
    elsewhere
        .pause(&post(other), Duration::from_secs(30))
        .await
        .unwrap();
    let held = PgBudget::new(&store, other, &table, 1.0).await.unwrap();
    let wait = held.admit(&post(other)).await.unwrap();
    assert!(wait > Duration::from_secs(25), "{wait:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_share_stretches_the_interval_and_shrinks_the_burst() {
    let Some(pg) = Postgres::start("share") else {
        return;
    };
    let store = pg.store().await;
    let table = RateTable::new(vec![RateRule::writes(
        "writes",
        60,
        Duration::from_secs(60),
        10,
    )]);
    let org = "https://org-c.test/scim/v2";
    let budget = PgBudget::new(&store, org, &table, 0.5).await.unwrap();
    // At half: a burst of 5, then one per 2 s.
    for _ in 0..5 {
        assert_eq!(budget.admit(&post(org)).await.unwrap(), Duration::ZERO);
    }
    let wait = budget.admit(&post(org)).await.unwrap();
    assert!(
        wait > Duration::from_secs(1) && wait <= Duration::from_secs(2),
        "{wait:?}"
    );
}
