//! The planner at scale: 100,000 desired users against 100,000 current
//! ones (10% changed, 1% new, 1% gone), CPU time and peak heap measured by
//! a counting allocator. `cargo bench -p scim-sync --bench plan`.

#[path = "../../../benches/common/counting_alloc.rs"]
mod counting_alloc;

use std::time::Instant;

use scim_client::model::{TypedValue, User};
use scim_client::profile::Profile;
use scim_sync::{Current, DeactivationLimit, Desired, Ownership, PlanOptions, plan};

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
    let (desired, current) = (
        Desired {
            users: desired,
            ..Desired::default()
        },
        Current {
            users: current,
            ..Current::default()
        },
    );
    let profile = Profile::slack_v2();
    let baseline = counting_alloc::start_peak();
    let (start, cpu_start) = (Instant::now(), cpu_seconds());
    let plan = plan(&desired, &current, &profile, &options).expect("a plan");
    let (elapsed, cpu) = (start.elapsed(), cpu_seconds() - cpu_start);
    let peak = counting_alloc::peak_since(baseline);
    println!(
        "plan 100,000 desired vs 100,000 current: {} steps in {:.3} s ({:.2} s of CPU); inputs {:.1} MB, planner peak {:.1} MB above them ({:.2}× the inputs)",
        plan.steps.len(),
        elapsed.as_secs_f64(),
        cpu,
        inputs as f64 / 1e6,
        peak as f64 / 1e6,
        peak as f64 / inputs as f64,
    );
}

/// This process's CPU time (user and system) in seconds, from
/// `/proc/self/stat` (Linux; clock ticks of 1/100 s). The target is CPU
/// time: wall time on a shared machine includes other processes.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat (Linux)");
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("a stat line") + 2..]
        .split(' ')
        .collect();
    let ticks = |i: usize| fields[i].parse::<f64>().expect("a number of ticks");
    // utime and stime: fields 14 and 15 of the line, indices 11 and 12 here.
    (ticks(11) + ticks(12)) / 100.0
}
