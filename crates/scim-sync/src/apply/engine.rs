//! [`Apply`]: the engine that runs a plan's steps, without I/O.
//!
//! Steps run in four phases, each waiting for the one before: user
//! creates and updates; group creates and updates, and user updates that
//! set a manager the plan creates (which need its id, as membership
//! changes need their users'); membership changes (which need the ids of
//! the users and groups just created); then deactivations and deletions
//! (after members have left their groups).
//! Within a phase, steps run concurrently, but never two on one resource.
//!
//! Within a phase, the steps of each kind (user creates, user updates, …)
//! wait in a lane of their own, in plan order. Each kind is a rate class
//! of its own at most providers (Slack: user creates 180/min, user updates
//! 180/min, both within writes 600/min), so the engine starts, among the
//! lanes' first ready steps, the one the rate budget would let go soonest
//! ([`Apply::poll_paced`]): every class's bucket drains at once, where
//! plan order would leave the updates' bucket full and idle through all
//! the creates.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use scim_client::model::{Group, User};
use scim_client::provider::Profile;
use scim_client::provider::{MemberChanges, PatchBody};
use scim_client::transport::HttpRequest;
use scim_client::{Endpoint, Error, Operation};

use super::journal::{Entry, Recovered};
use super::step_run::{Guard, Kind, Next, StepRun, patch};
use super::{
    Answer, ApplyError, Done, Event, EventResult, Failed, Outcome, Report, Skipped, StepError,
};
use crate::options::PlanOptions;
use crate::plan::{Current, NewManager, Plan, Ref, Step};
use crate::scope::Compiled;

/// The last phase (deactivations and deletions).
const LAST_PHASE: u8 = 3;

/// Why steps did not start after [`Apply::interrupt`].
const INTERRUPTED: &str = "interrupted";

/// Names one request in flight; give it back to [`Apply::handle`] with the
/// answer.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Ticket(u64);

/// What the engine asks of its driver next.
#[derive(Debug)]
pub enum Output {
    /// Append this entry to the journal, synced, before polling again.
    Journal(Entry),
    /// Report this progress.
    Event(Event),
    /// Send this operation; hand its result to [`Apply::handle`].
    Send(Ticket, Box<Operation<Answer>>),
    /// Nothing can start until an answer in flight comes back.
    Wait,
    /// Every step has ended: take the [`Report`].
    Done,
}

/// A plan being applied.
pub struct Apply {
    /// The plan's steps, shared with the applies [`Apply::subset`] makes.
    steps: std::sync::Arc<[Step]>,
    /// The plan's options: its ownership and adoption rules guard creates
    /// that meet an existing account.
    options: PlanOptions,
    /// The plan's scope, parsed: the same guard.
    scope: std::sync::Arc<Compiled>,
    profile: Profile,
    endpoint: Endpoint,
    /// Steps that may have been written by an interrupted run.
    resumed: HashSet<usize>,
    /// Steps ended (in this run or an earlier one).
    finished: Vec<bool>,
    next_phase: u8,
    /// The current phase's steps not started: one lane per kind of step,
    /// each in plan order.
    lanes: Vec<VecDeque<usize>>,
    running: HashMap<u64, (usize, StepRun)>,
    busy: HashSet<Ref>,
    /// `user:{key}` / `group:{key}` to the id a create gave.
    ids: HashMap<String, String>,
    outputs: VecDeque<Output>,
    report: Report,
    ended: usize,
    /// Why no further step starts (credentials refused, network down,
    /// interrupted).
    stopped: Option<String>,
    next_ticket: u64,
}

impl Apply {
    /// An apply of `plan` for the provider `profile` describes, through
    /// `endpoint`, resuming what `recovered` says an earlier run did.
    ///
    /// The plan is not trusted: its digest must match its content, and
    /// every step's target and the rails are checked against `current`
    /// (the provider's state, read by the driver) under the plan's own
    /// ownership rule, adoption rule and limit; a plan failing any of them
    /// is refused whole, before anything is sent.
    pub fn new(
        plan: &Plan,
        profile: &Profile,
        endpoint: Endpoint,
        recovered: Recovered,
        current: &Current,
    ) -> Result<Apply, ApplyError> {
        super::trust::check_profile(plan, profile)?;
        let scope = super::trust::check_plan(plan, current)?;
        let mut apply = Apply {
            steps: plan.steps.clone().into(),
            options: plan.options.clone(),
            scope: std::sync::Arc::new(scope),
            profile: profile.clone(),
            endpoint,
            resumed: recovered.begun,
            finished: vec![false; plan.steps.len()],
            next_phase: 0,
            lanes: Vec::new(),
            running: HashMap::new(),
            busy: HashSet::new(),
            ids: HashMap::new(),
            outputs: VecDeque::new(),
            report: Report::default(),
            ended: 0,
            stopped: None,
            next_ticket: 0,
        };
        let mut done: Vec<(usize, Option<String>)> = recovered.done.into_iter().collect();
        done.sort();
        let steps = apply.steps.len();
        for (step, id) in done.into_iter().filter(|(step, _)| *step < steps) {
            if let (Some(key), Some(id)) = (apply.created_key(step), id) {
                apply.ids.insert(key, id);
            }
            apply.skip(step, "done in an earlier run (journal)".into(), true);
        }
        // Their events are history, not progress.
        apply.outputs.clear();
        Ok(apply)
    }

    /// An apply of only `steps` (indexes into the plan; others are
    /// ignored), for a driver that shares one plan's steps among several
    /// appliers — a job store whose workers each claim a few: the plan's
    /// digest, every step's target and the rails were checked once, by
    /// [`Apply::new`], for this apply. No other step runs or is reported,
    /// and [`Event::ended`] counts these steps only.
    ///
    /// `recovered` says what the other appliers did: `done` lends the ids
    /// their creates gave to the membership changes among `steps`;
    /// `begun` names the steps whose write may have happened (a create
    /// among them looks its resource up before creating). Phase order and
    /// one write at a time per resource hold among `steps`; across
    /// appliers they are the driver's to keep ([`phase`]).
    pub fn subset(&self, steps: &[usize], recovered: &Recovered) -> Apply {
        let total = self.steps.len();
        let mut finished = vec![true; total];
        for &index in steps.iter().filter(|&&index| index < total) {
            finished[index] = false;
        }
        let mut ids = HashMap::new();
        for (&step, id) in recovered.done.iter().filter(|(step, _)| **step < total) {
            if let (Some(key), Some(id)) = (self.created_key(step), id) {
                ids.insert(key, id.clone());
            }
        }
        let resumed = recovered.begun.iter().copied();
        Apply {
            steps: self.steps.clone(),
            options: self.options.clone(),
            scope: self.scope.clone(),
            profile: self.profile.clone(),
            endpoint: self.endpoint.clone(),
            resumed: resumed
                .filter(|&step| step < total && !finished[step])
                .collect(),
            finished,
            next_phase: 0,
            lanes: Vec::new(),
            running: HashMap::new(),
            busy: HashSet::new(),
            ids,
            outputs: VecDeque::new(),
            report: Report::default(),
            ended: 0,
            stopped: None,
            next_ticket: 0,
        }
    }

    /// The next thing to do, starting steps in plan order within each
    /// kind ([`poll_paced`](Self::poll_paced) with no budget to ask).
    pub fn poll(&mut self) -> Output {
        self.poll_paced(&mut |_| Duration::ZERO)
    }

    /// The next thing to do; when a step may start, the one started is,
    /// among the first ready step of each kind, the one whose first
    /// request `budget_wait` says would wait least (ties: the earlier
    /// kind) — the driver answers from its client's rate budget
    /// (`ScimClient::budget_wait`), taking no room.
    pub fn poll_paced(&mut self, budget_wait: &mut dyn FnMut(&HttpRequest) -> Duration) -> Output {
        loop {
            if let Some(output) = self.outputs.pop_front() {
                return output;
            }
            if self.start_next(budget_wait) {
                continue;
            }
            if !self.running.is_empty() {
                return Output::Wait;
            }
            if !self.advance_phase() {
                return Output::Done;
            }
        }
    }

    /// The result of the operation sent with `ticket`. Returns false for a
    /// ticket this apply did not give out (or already took back).
    pub fn handle(&mut self, ticket: Ticket, answer: Result<Answer, Error>) -> bool {
        let Some((index, mut run)) = self.running.remove(&ticket.0) else {
            return false;
        };
        match run.next(Some(answer), &self.endpoint, &self.profile) {
            Next::Send(operation) => self.send(index, run, *operation),
            Next::Ended(result) => self.end(index, result),
        }
        true
    }

    /// Starts no further step (the driver was asked to stop: Ctrl-C, a
    /// shutdown). From the next [`poll`](Self::poll) on, the steps not
    /// started end as skipped, `not started: interrupted`, with no journal
    /// entry, so the same apply run again with the same journal runs them;
    /// the steps in flight still send what they have left and are
    /// journaled when they end, and [`Output::Done`] follows their last
    /// answer. After a failure that already stopped the apply (or a second
    /// call) it changes nothing.
    pub fn interrupt(&mut self) {
        if self.stopped.is_none() {
            self.stopped = Some(INTERRUPTED.to_owned());
        }
    }

    /// The report, once [`poll`](Self::poll) said [`Output::Done`].
    pub fn into_report(self) -> Report {
        self.report
    }

    /// Starts one step of the current phase whose resource is free — of
    /// the lanes' first such steps, the one the budget would hold least;
    /// true when it did something.
    fn start_next(&mut self, budget_wait: &mut dyn FnMut(&HttpRequest) -> Duration) -> bool {
        if let Some(reason) = self.stopped.clone() {
            let Some(index) = self.lanes.iter_mut().find_map(VecDeque::pop_front) else {
                return false;
            };
            self.report.interrupted |= reason == INTERRUPTED;
            self.skip(index, format!("not started: {reason}"), false);
            return true;
        }
        let mut best: Option<(Duration, usize, usize, StepRun, Operation<Answer>)> = None;
        for lane in 0..self.lanes.len() {
            let busy = &self.busy;
            let steps = &self.steps;
            let Some(at) = self.lanes[lane]
                .iter()
                .position(|&i| !busy.contains(&steps[i].resource()))
            else {
                continue;
            };
            let index = self.lanes[lane][at];
            let (run, next) = match self.first(index) {
                Ok(first) => first,
                Err(error) => {
                    self.lanes[lane].remove(at);
                    self.end(index, Err(error));
                    return true;
                }
            };
            let operation = match next {
                Next::Send(operation) => *operation,
                Next::Ended(result) => {
                    self.lanes[lane].remove(at);
                    self.end(index, result);
                    return true;
                }
            };
            let wait = budget_wait(operation.request());
            if best.as_ref().is_none_or(|(least, ..)| wait < *least) {
                best = Some((wait, lane, at, run, operation));
            }
        }
        let Some((_, lane, at, run, operation)) = best else {
            return false;
        };
        if let Some(index) = self.lanes[lane].remove(at) {
            self.begin(index, run, operation);
        }
        true
    }

    /// Step `index`'s run and its first move; nothing recorded yet.
    fn first(&self, index: usize) -> Result<(StepRun, Next), StepError> {
        let mut run = self.build(index)?;
        let next = run.next(None, &self.endpoint, &self.profile);
        Ok((run, next))
    }

    /// Starts step `index` with its first request: its resource busy, a
    /// create's begin journaled first.
    fn begin(&mut self, index: usize, run: StepRun, operation: Operation<Answer>) {
        self.busy.insert(self.steps[index].resource());
        if matches!(run, StepRun::Create(_)) && !self.resumed.contains(&index) {
            self.outputs
                .push_back(Output::Journal(Entry::Begin { step: index }));
        }
        self.send(index, run, operation);
    }

    fn send(&mut self, index: usize, run: StepRun, operation: Operation<Answer>) {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.running.insert(ticket, (index, run));
        self.outputs
            .push_back(Output::Send(Ticket(ticket), Box::new(operation)));
    }

    /// The requests of step `index`, its references resolved.
    fn build(&self, index: usize) -> Result<StepRun, StepError> {
        let endpoint = &self.endpoint;
        let resumed = self.resumed.contains(&index);
        let one = |operation: Result<Operation<Answer>, Error>, outcome| {
            Ok(StepRun::writes(vec![operation?], outcome))
        };
        match &self.steps[index] {
            Step::CreateUser { key, user } => {
                let guard = Guard {
                    key: key.clone(),
                    ownership: self.options.ownership.clone(),
                    adopt: self.options.adopt,
                    scope: self.scope.clone(),
                };
                let body = user.clone();
                Ok(StepRun::create(Kind::User, body, resumed, Some(guard)))
            }
            Step::CreateGroup { key, group } => {
                let guard = Guard {
                    key: key.clone(),
                    ownership: self.options.ownership.clone(),
                    adopt: self.options.adopt,
                    scope: self.scope.clone(),
                };
                let body = group.clone();
                Ok(StepRun::create(Kind::Group, body, resumed, Some(guard)))
            }
            Step::UpdateUser {
                id,
                patch: body,
                manager,
                ..
            } => self.update(id, body.as_ref(), manager.as_ref()),
            Step::AdoptUser {
                id,
                patch: body,
                manager,
                ..
            } => self.update(&Ref::Id(id.clone()), Some(body), manager.as_ref()),
            Step::DeactivateUser {
                id, patch: body, ..
            } => one(patch::<User>(endpoint, id, body), Outcome::Deactivated),
            Step::DeleteUser { id, .. } => one(
                endpoint
                    .delete::<User>(id)
                    .map(|operation| operation.map(|()| Answer::Removed)),
                Outcome::Deleted,
            ),
            Step::UpdateGroup {
                id, patch: body, ..
            } => one(patch::<Group>(endpoint, id, body), Outcome::Updated),
            Step::ChangeMembers { group, add, remove } => self.members(group, add, remove),
        }
    }

    /// The PATCH of an update or adoption (none when its body is `null`),
    /// then the one setting the manager the plan created, with the id its
    /// create gave ([`NewManager`]).
    fn update(
        &self,
        user: &Ref,
        body: Option<&PatchBody>,
        manager: Option<&NewManager>,
    ) -> Result<StepRun, StepError> {
        let id = self.resolve(user, "user")?;
        let mut operations = Vec::new();
        if let Some(body) = body {
            operations.push(patch::<User>(&self.endpoint, &id, body)?);
        }
        if let Some(manager) = manager {
            let manager_id = self.resolve(&Ref::Key(manager.key.clone()), "user")?;
            let body = manager.patch(&self.profile, &manager_id)?;
            operations.push(patch::<User>(&self.endpoint, &id, &body)?);
        }
        Ok(StepRun::writes(operations, Outcome::Updated))
    }

    fn members(&self, group: &Ref, add: &[Ref], remove: &[String]) -> Result<StepRun, StepError> {
        let group = self.resolve(group, "group")?;
        let add = add
            .iter()
            .map(|member| self.resolve(member, "user"))
            .collect::<Result<Vec<_>, _>>()?;
        let changes = MemberChanges::new(add, remove.iter().cloned());
        let operations = self
            .endpoint
            .change_members(&self.profile, &group, &changes)?
            .into_iter()
            .map(|operation| operation.map(|_| Answer::Written(None)))
            .collect();
        Ok(StepRun::writes(operations, Outcome::MembersChanged))
    }

    fn resolve(&self, reference: &Ref, kind: &str) -> Result<String, StepError> {
        match reference {
            Ref::Id(id) => Ok(id.clone()),
            Ref::Key(key) => self
                .ids
                .get(&format!("{kind}:{key}"))
                .cloned()
                .ok_or_else(|| StepError::Unresolved {
                    reference: format!("{kind} {key:?}"),
                }),
        }
    }

    /// `user:{key}` or `group:{key}` for a step that creates.
    fn created_key(&self, index: usize) -> Option<String> {
        match &self.steps[index] {
            Step::CreateUser { key, .. } => Some(format!("user:{key}")),
            Step::CreateGroup { key, .. } => Some(format!("group:{key}")),
            _ => None,
        }
    }

    fn end(&mut self, index: usize, result: Result<Outcome, StepError>) {
        self.busy.remove(&self.steps[index].resource());
        self.finished[index] = true;
        self.ended += 1;
        let result = match result {
            Ok(outcome) => {
                let id = outcome.id().map(str::to_owned);
                if let (Some(key), Some(id)) = (self.created_key(index), &id) {
                    self.ids.insert(key, id.clone());
                }
                self.outputs
                    .push_back(Output::Journal(Entry::Done { step: index, id }));
                self.report.done.push(Done {
                    step: index,
                    outcome: outcome.clone(),
                });
                EventResult::Done(outcome)
            }
            Err(error) => {
                if stops_everything(&error) {
                    self.stopped = Some(format!("step {index} failed: {error}"));
                }
                let text = error.to_string();
                self.report.failed.push(Failed { step: index, error });
                EventResult::Failed { error: text }
            }
        };
        self.event(index, result);
    }

    fn skip(&mut self, index: usize, reason: String, earlier: bool) {
        self.finished[index] = true;
        self.ended += 1;
        self.report.skipped.push(Skipped {
            step: index,
            reason: reason.clone(),
            earlier,
        });
        self.event(index, EventResult::Skipped { reason });
    }

    fn event(&mut self, step: usize, result: EventResult) {
        self.outputs.push_back(Output::Event(Event {
            step,
            ended: self.ended,
            total: self.steps.len(),
            result,
        }));
    }

    /// Moves to the next phase with steps left; false when none is.
    fn advance_phase(&mut self) -> bool {
        while self.next_phase <= LAST_PHASE {
            let phase = self.next_phase;
            self.next_phase += 1;
            let mut lanes = vec![VecDeque::new(); LANES];
            for (i, step) in self.steps.iter().enumerate() {
                if !self.finished[i] && phase_of(step) == phase {
                    lanes[lane_of(step)].push_back(i);
                }
            }
            lanes.retain(|lane| !lane.is_empty());
            self.lanes = lanes;
            if !self.lanes.is_empty() {
                return true;
            }
        }
        false
    }
}

impl std::fmt::Debug for Apply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apply")
            .field("steps", &self.steps.len())
            .field("ended", &self.ended)
            .field("running", &self.running.len())
            .field("stopped", &self.stopped)
            .finish_non_exhaustive()
    }
}

/// How many kinds of step there are: one lane each.
const LANES: usize = 8;

/// The lane of `step`'s kind: a rate class of its own at most providers.
fn lane_of(step: &Step) -> usize {
    match step {
        Step::CreateUser { .. } => 0,
        Step::UpdateUser { .. } => 1,
        Step::AdoptUser { .. } => 2,
        Step::CreateGroup { .. } => 3,
        Step::UpdateGroup { .. } => 4,
        Step::ChangeMembers { .. } => 5,
        Step::DeactivateUser { .. } => 6,
        Step::DeleteUser { .. } => 7,
    }
}

/// The phase `step` runs in, from 0: user creates, updates and
/// adoptions (0); group creates and updates (1); membership changes (2);
/// deactivations and deletions (3). Each phase starts when every step of
/// the phases before it has ended: a driver that shares a plan's steps
/// among appliers ([`Apply::subset`]) hands out a step of phase N only
/// then.
pub fn phase(step: &Step) -> u8 {
    phase_of(step)
}

fn phase_of(step: &Step) -> u8 {
    match step {
        // A manager the plan creates has an id once every create has run.
        Step::UpdateUser {
            manager: Some(_), ..
        }
        | Step::AdoptUser {
            manager: Some(_), ..
        } => 1,
        Step::CreateUser { .. } | Step::UpdateUser { .. } | Step::AdoptUser { .. } => 0,
        Step::CreateGroup { .. } | Step::UpdateGroup { .. } => 1,
        Step::ChangeMembers { .. } => 2,
        Step::DeactivateUser { .. } | Step::DeleteUser { .. } => LAST_PHASE,
    }
}

/// Errors after which no further step should start: every one would fail
/// the same way (the network is gone after the client's retries, or the
/// credentials are refused).
fn stops_everything(error: &StepError) -> bool {
    match error {
        StepError::Client(Error::Transport(_)) => true,
        StepError::Client(error) => error
            .status()
            .is_some_and(|status| matches!(status.as_u16(), 401 | 403)),
        _ => false,
    }
}
