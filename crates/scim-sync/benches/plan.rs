//! The planner at scale: 100,000 desired users against 100,000 current
//! ones (10% changed, 1% new, 1% gone), CPU time and peak heap measured by
//! a counting allocator. `cargo bench -p scim-sync --bench plan`.

#[path = "../../../benches/common/counting_alloc.rs"]
mod counting_alloc;

use std::time::Instant;

use scim_client::model::{TypedValue, User};
use scim_sync::{DeactivationLimit, Ownership, PlanOptions, plan_users};

fn person(i: usize, title: &str) -> User {
    User {
        user_name: format!("user{i:06}").into(),
        external_id: format!("hr:{i:06}").into(),
        display_name: format!("User Number {i}").into(),
        title: title.into(),
        active: true.into(),
        emails: vec![TypedValue {
            value: format!("user{i:06}@example.test").into(),
            primary: true.into(),
            ..TypedValue::default()
        }]
        .into(),
        ..User::default()
    }
}

fn main() {
    const N: usize = 100_000;
    let before = counting_alloc::live();
    let current: Vec<User> = (0..N)
        .map(|i| User {
            id: format!("W{i:06}").into(),
            ..person(i, "Engineer")
        })
        .collect();
    // 1% gone (the first thousand), 1% new (past N), 10% with a new title.
    let desired: Vec<User> = (N / 100..N + N / 100)
        .map(|i| person(i, if i % 10 == 0 { "Manager" } else { "Engineer" }))
        .collect();
    let inputs = counting_alloc::live() - before;
    let options = PlanOptions {
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        limit: DeactivationLimit {
            max_count: N,
            max_percent: 5.0,
        },
        ..PlanOptions::default()
    };
    let baseline = counting_alloc::start_peak();
    let start = Instant::now();
    let plan = plan_users(&desired, &current, &options).expect("a plan");
    let elapsed = start.elapsed();
    let peak = counting_alloc::peak_since(baseline);
    println!(
        "plan 100,000 desired vs 100,000 current: {} steps in {:.3} s; inputs {:.1} MB, planner peak {:.1} MB above them ({:.2}× the inputs)",
        plan.steps.len(),
        elapsed.as_secs_f64(),
        inputs as f64 / 1e6,
        peak as f64 / 1e6,
        peak as f64 / inputs as f64,
    );
}
