//! How the in-memory service scales with the directory it holds: N user
//! creates through `handle` (POST /Users, as a client sends them), N through
//! `seed_user`, and 200 list pages of 1,000 users (the JSON writer's share).
//! A write checks the userName's uniqueness through an index, so N creates
//! take time linear in N, not quadratic.
//!
//! `cargo bench -p scim-memory --bench writes -- 100000` (default 20,000).

use std::time::{Duration, Instant};

use scim_memory::InMemoryService;
use serde_json::json;

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(20_000);
    let service = InMemoryService::scim2();
    let creates = timed(|| {
        for i in 0..n {
            let user = json!({"userName": format!("user{i}"),
                "emails": [{"value": format!("u{i}@example.com"), "primary": true}]});
            let request = http::Request::post("https://scim.test/v2/Users")
                .body(serde_json::to_vec(&user).expect("JSON"))
                .expect("request");
            assert_eq!(service.handle(&request).status(), 201, "create {i}");
        }
    });
    println!(
        "{n} creates through handle: {creates:?} ({:?} each)",
        per(creates, n)
    );
    let seeded = InMemoryService::scim2();
    let seeds = timed(|| {
        for i in 0..n {
            seeded
                .seed_user(json!({"userName": format!("user{i}")}))
                .expect("seed");
        }
    });
    println!(
        "{n} creates through seed_user: {seeds:?} ({:?} each)",
        per(seeds, n)
    );
    let mut bytes = 0;
    let lists = timed(|| {
        for _ in 0..200 {
            let request = http::Request::get("https://scim.test/v2/Users?count=1000")
                .body(Vec::new())
                .expect("request");
            bytes += service.handle(&request).body().len();
        }
    });
    println!("200 pages of 1,000 users: {lists:?} ({bytes} bytes written)");
}

fn timed(work: impl FnOnce()) -> Duration {
    let start = Instant::now();
    work();
    start.elapsed()
}

fn per(total: Duration, n: usize) -> Duration {
    total / u32::try_from(n.max(1)).unwrap_or(u32::MAX)
}
