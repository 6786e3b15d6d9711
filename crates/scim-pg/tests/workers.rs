//! Worker processes on one PostgreSQL applying plans against the in-memory
//! Slack v2 service over HTTP in wall time: every step done exactly once,
//! no create repeated, no 429, a killed worker's steps taken over, two
//! orgs each within its own budget.

mod common;

use std::time::{Duration, Instant};

use common::{HttpService, Postgres, Shape, done_counts, plan, profile, spawn_worker, wait_all};

/// One test at a time: each starts worker processes on two shared cores.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn four_workers_apply_a_2000_step_plan_each_step_once_without_a_429() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let Some(pg) = Postgres::start("four") else {
        return;
    };
    let rt = runtime();
    let profile = profile(common::RATE_SCALE);
    let server = HttpService::start(&profile);
    let shape = Shape {
        creates: 1000,
        updates: 600,
        groups: 200,
        members: 5,
    };
    let plan = rt.block_on(plan(&server, &profile, shape));
    assert_eq!(plan.steps.len(), 2000, "the plan's shape");
    let store = rt.block_on(pg.store());
    let id = rt
        .block_on(store.submit(&server.base_url, &plan))
        .expect("submitted");
    let before = server.requests();
    let started = Instant::now();
    let mut workers: Vec<_> = (0..4)
        .map(|n| spawn_worker(&pg, &format!("w{n}"), &[&server.base_url], 30.0))
        .collect();
    wait_all(&mut workers, Duration::from_secs(600));
    let wall = started.elapsed();
    let status = rt.block_on(store.status(id)).expect("the status");
    assert_eq!((status.done, status.failed), (2000, 0), "{status:?}");
    let sql = rt.block_on(pg.sql());
    assert_eq!(
        rt.block_on(done_counts(&sql, id.0)),
        (0, 0),
        "each step done exactly once"
    );
    assert_eq!(server.user_posts(), 1000, "one POST per user create");
    assert_eq!(server.group_posts(), 200, "one POST per group create");
    assert_eq!(server.throttled(), 0, "no 429");
    let history = rt.block_on(store.history(id)).expect("the history");
    assert_eq!(
        history.iter().map(|r| r.done).sum::<i32>(),
        2000,
        "{history:?}"
    );
    report(&rt, &sql, id.0, wall, server.requests() - before, &history);
}

/// Prints the run's figures (BENCHMARKS.md): per phase, steps and the
/// achieved rate against the scaled ceiling of its binding rule.
fn report(
    rt: &tokio::runtime::Runtime,
    sql: &tokio_postgres::Client,
    plan: i64,
    wall: Duration,
    requests: u64,
    history: &[scim_pg::RunRecord],
) {
    let rows = rt
        .block_on(sql.query(
            "SELECT phase, count(*), extract(epoch FROM max(done_at) - min(done_at))::float8 \
             FROM scim_pg.steps WHERE plan_id = $1 GROUP BY phase ORDER BY phase",
            &[&plan],
        ))
        .expect("the phases");
    // Each phase's binding class (user creates; group creates; group
    // updates: 180/min each, scaled, at the 0.9 share) and its burst at
    // the share: the floor is (count - burst) / rate.
    let rate = 180.0 * f64::from(common::RATE_SCALE) / 60.0 * 0.9;
    let binding = [(1000.0, 18.0), (200.0, 18.0), (200.0, 72.0)];
    println!(
        "4 workers, 2000 steps: wall {:.1} s, {requests} requests, 0 429s",
        wall.as_secs_f64()
    );
    for row in rows {
        let (phase, steps, seconds): (i16, i64, f64) = (row.get(0), row.get(1), row.get(2));
        let (count, burst) = binding[usize::try_from(phase).unwrap_or(0).min(2)];
        let floor = (count - burst) / rate;
        println!(
            "phase {phase}: {steps} steps in {seconds:.2} s; binding class ceiling {rate:.0}/s, \
             floor {floor:.2} s: {:.1}% of the ceiling",
            100.0 * floor / seconds.max(1e-3)
        );
    }
    for run in history {
        println!(
            "{}: done {} released {} lost {}",
            run.worker, run.done, run.released, run.lost
        );
    }
}

#[test]
fn a_killed_workers_steps_are_claimed_again_when_its_lease_expires() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let Some(pg) = Postgres::start("kill") else {
        return;
    };
    let rt = runtime();
    let profile = profile(common::RATE_SCALE);
    let server = HttpService::start(&profile);
    let shape = Shape {
        creates: 300,
        updates: 100,
        groups: 50,
        members: 4,
    };
    let plan = rt.block_on(plan(&server, &profile, shape));
    let store = rt.block_on(pg.store());
    let id = rt
        .block_on(store.submit(&server.base_url, &plan))
        .expect("submitted");
    let sql = rt.block_on(pg.sql());
    let mut victim = spawn_worker(&pg, "victim", &[&server.base_url], 2.0);
    let mut others: Vec<_> = (0..2)
        .map(|n| spawn_worker(&pg, &format!("w{n}"), &[&server.base_url], 2.0))
        .collect();
    // Watchdog: the victim holds steps after having done some.
    let deadline = Instant::now() + Duration::from_secs(120);
    let held: Vec<i32> = loop {
        let rows = rt
            .block_on(sql.query(
                "SELECT idx FROM scim_pg.steps WHERE owner = 'victim' AND state = 'claimed' \
                 AND (SELECT coalesce(sum(done), 0) FROM scim_pg.runs WHERE worker = 'victim') >= 20",
                &[],
            ))
            .expect("the claims");
        if !rows.is_empty() {
            victim.child.kill().expect("kill -9");
            break rows.iter().map(|row| row.get(0)).collect();
        }
        assert!(
            Instant::now() < deadline,
            "watchdog: the victim never held a step: {}",
            victim.output()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = victim.child.wait();
    wait_all(&mut others, Duration::from_secs(600));
    let status = rt.block_on(store.status(id)).expect("the status");
    assert_eq!(
        (status.done, status.failed),
        (shape.steps() as i64, 0),
        "{status:?}"
    );
    assert_eq!(
        rt.block_on(done_counts(&sql, id.0)),
        (0, 0),
        "0 lost, 0 done twice"
    );
    assert_eq!(server.user_posts(), 300, "no create repeated");
    assert_eq!(server.group_posts(), 50, "no group create repeated");
    assert_eq!(server.throttled(), 0, "no 429");
    // Between the read of what it held and the kill, the victim may have
    // finished one of them itself: each held step was either done by the
    // victim before it died or claimed again by another worker.
    let accounted = rt
        .block_on(sql.query_one(
            "SELECT count(DISTINCT e.idx) FROM scim_pg.step_events e JOIN scim_pg.runs r ON r.id = e.run_id \
             WHERE e.plan_id = $1 AND e.idx = ANY($2) \
               AND ((e.event = 'reclaimed' AND r.worker <> 'victim') \
                 OR (e.event = 'done' AND r.worker = 'victim'))",
            &[&id.0, &held],
        ))
        .expect("the events");
    assert_eq!(
        accounted.get::<_, i64>(0),
        held.len() as i64,
        "every step it held was claimed again or done by it before the kill: {held:?}"
    );
    let history = rt.block_on(store.history(id)).expect("the history");
    let victim_run = history
        .iter()
        .find(|r| r.worker == "victim")
        .expect("its run");
    assert!(!victim_run.ended, "a killed worker's run never ends");
}

#[test]
fn two_orgs_are_served_by_the_same_workers_each_within_its_own_budget() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let Some(pg) = Postgres::start("orgs") else {
        return;
    };
    let rt = runtime();
    let profile = profile(common::RATE_SCALE);
    let shape = Shape {
        creates: 200,
        updates: 100,
        groups: 30,
        members: 4,
    };
    let servers = [HttpService::start(&profile), HttpService::start(&profile)];
    let store = rt.block_on(pg.store());
    let mut plans = Vec::new();
    for server in &servers {
        let plan = rt.block_on(plan(server, &profile, shape));
        plans.push(
            rt.block_on(store.submit(&server.base_url, &plan))
                .expect("submitted"),
        );
    }
    let targets = [servers[0].base_url.as_str(), servers[1].base_url.as_str()];
    let mut workers: Vec<_> = (0..3)
        .map(|n| spawn_worker(&pg, &format!("w{n}"), &targets, 30.0))
        .collect();
    wait_all(&mut workers, Duration::from_secs(600));
    let sql = rt.block_on(pg.sql());
    for (server, id) in servers.iter().zip(&plans) {
        let status = rt.block_on(store.status(*id)).expect("the status");
        assert_eq!(
            (status.done, status.failed),
            (shape.steps() as i64, 0),
            "{status:?}"
        );
        assert_eq!(
            rt.block_on(done_counts(&sql, id.0)),
            (0, 0),
            "each step done exactly once"
        );
        assert_eq!(
            server.user_posts(),
            200,
            "{}: one POST per create",
            server.base_url
        );
        assert_eq!(server.throttled(), 0, "{}: no 429", server.base_url);
        let cells = rt
            .block_on(sql.query_one(
                "SELECT count(*) FROM scim_pg.rate_cells WHERE target = $1",
                &[&server.base_url],
            ))
            .expect("the cells");
        assert_eq!(
            cells.get::<_, i64>(0),
            profile.rates.rules.len() as i64,
            "a budget of its own"
        );
        let history = rt.block_on(store.history(*id)).expect("the history");
        assert!(history.len() >= 2, "served by several workers: {history:?}");
    }
}
