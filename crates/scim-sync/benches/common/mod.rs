//! What the sync benches share: the people they plan and apply, and the
//! process's CPU time.

use scim_client::model::{TypedValue, User};

/// Person `i` as an HR source has them: userName, externalId `hr:…`,
/// displayName, title, active and one primary email.
pub fn person(i: usize, title: &str) -> User {
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

/// This process's CPU time (user and system) in seconds, from
/// `/proc/self/stat` (Linux; clock ticks of 1/100 s). The targets are CPU
/// time: wall time on a shared machine includes other processes.
#[allow(dead_code)] // Not every bench measures the whole process.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat (Linux)");
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("a stat line") + 2..]
        .split(' ')
        .collect();
    let ticks = |i: usize| fields[i].parse::<f64>().expect("a number of ticks");
    // utime and stime: fields 14 and 15 of the line, indices 11 and 12 here.
    (ticks(11) + ticks(12)) / 100.0
}

#[path = "../../../../benches/common/thread_cpu.rs"]
mod thread_cpu;

/// This thread's CPU time (user and system) in seconds, exact to the
/// nanosecond ([`thread_cpu::thread_cpu`]). For work done on the calling
/// thread only, as the planner's is.
#[allow(dead_code)] // Not every bench measures one thread.
pub fn thread_cpu_seconds() -> f64 {
    thread_cpu::thread_cpu()
        .expect("CLOCK_THREAD_CPUTIME_ID (POSIX)")
        .as_secs_f64()
}
