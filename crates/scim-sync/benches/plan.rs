//! The planner at scale: 100,000 desired users against 100,000 current
//! ones (10% changed, 1% new, 1% gone), CPU time and peak heap measured by
//! a counting allocator. `cargo bench -p scim-sync --bench plan`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use scim_client::model::{TypedValue, User};
use scim_sync::{DeactivationLimit, Ownership, PlanOptions, plan_users};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards the caller's contract to the system allocator.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwards the caller's contract to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

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
    let before = LIVE.load(Ordering::Relaxed);
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
    let inputs = LIVE.load(Ordering::Relaxed) - before;
    let options = PlanOptions {
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        limit: DeactivationLimit {
            max_count: N,
            max_percent: 5.0,
        },
        ..PlanOptions::default()
    };
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let baseline = LIVE.load(Ordering::Relaxed);
    let start = Instant::now();
    let plan = plan_users(&desired, &current, &options).expect("a plan");
    let elapsed = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - baseline;
    println!(
        "plan 100,000 desired vs 100,000 current: {} steps in {:.3} s; inputs {:.1} MB, planner peak {:.1} MB above them ({:.2}× the inputs)",
        plan.steps.len(),
        elapsed.as_secs_f64(),
        inputs as f64 / 1e6,
        peak as f64 / 1e6,
        peak as f64 / inputs as f64,
    );
}
