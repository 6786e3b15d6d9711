//! The planner at scale: 100,000 desired users against 100,000 current
//! ones (10% changed, 1% new, 1% gone), CPU time and peak heap measured by
//! a counting allocator. `cargo bench -p scim-sync --bench plan`. It
//! prints the CPU time (BENCHMARKS.md compares it with the target) and
//! asserts only a ratio: the planner's peak memory against its inputs.

#[path = "../../../benches/common/counting_alloc.rs"]
mod counting_alloc;

mod common;

use common::{person, thread_cpu_seconds};
use std::time::Instant;

use scim_client::model::User;
use scim_client::provider::Profile;
use scim_sync::{Current, DeactivationLimit, Desired, Ownership, PlanOptions, plan};

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
    let (start, cpu_start) = (Instant::now(), thread_cpu_seconds());
    let plan = plan(&desired, &current, &profile, &options).expect("a plan");
    let (elapsed, cpu) = (start.elapsed(), thread_cpu_seconds() - cpu_start);
    let peak = counting_alloc::peak_since(baseline);
    println!(
        "plan 100,000 desired vs 100,000 current: {} steps in {:.3} s ({:.3} s of CPU); inputs {:.1} MB, planner peak {:.1} MB above them ({:.2}× the inputs)",
        plan.steps.len(),
        elapsed.as_secs_f64(),
        cpu,
        inputs as f64 / 1e6,
        peak as f64 / 1e6,
        peak as f64 / inputs as f64,
    );
    // A ratio, not a time (BENCHMARKS.md "The sync planner" compares the
    // CPU time): the planner holds no copy of its inputs, nor all of them
    // as JSON, only its indices and the plan it writes.
    assert!(
        peak * 100 <= inputs * 11,
        "the planner's peak ({peak} bytes) is over 0.11x its inputs ({inputs} bytes)"
    );
}
