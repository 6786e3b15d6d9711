//! One step's requests, as a state machine: it hands out the next
//! operation and reads its answer, and never sends anything itself.
//!
//! A create is the one write that is not idempotent, so it is guarded: a
//! create the journal saw begin looks for the account first (the first run
//! may have made it before being killed), and a create answered with a
//! conflict (409, or `scimType: uniqueness`, RFC 7644 §3.12) looks the
//! account up and adopts it, as authentik's SCIM provider does — when the
//! account is the source's under the plan's ownership rule, or the plan's
//! adoption rule allows taking it over (with the owned marker written).
//! Any other account met that way is someone else's: the step fails
//! `exists, not owned` and the account is not written.

use std::collections::VecDeque;

use scim_client::filter::Filter;
use scim_client::model::{Group, ListResponse, SearchRequest, User};
use scim_client::provider::{PatchBody, Profile};
use scim_client::{Endpoint, Error, Operation, Resource, ScimType};
use serde_json::Value;

use super::{Answer, Outcome, StepError};
use crate::options::{Adoption, MatchKey, Ownership};
use crate::plan::{Change, render};
use crate::scope::Compiled;

/// What a step does next.
pub(crate) enum Next {
    /// Send this.
    Send(Box<Operation<Answer>>),
    /// The step has ended.
    Ended(Result<Outcome, StepError>),
}

/// A step in progress.
pub(crate) enum StepRun {
    /// A create, guarded.
    Create(Create),
    /// Idempotent writes, one after the other (a PATCH, a DELETE, the
    /// batches of a membership change).
    Writes {
        operations: VecDeque<Operation<Answer>>,
        outcome: Outcome,
    },
}

/// Which resource a create makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Group,
}

pub(crate) struct Create {
    kind: Kind,
    body: Value,
    state: CreateState,
    /// What the account (or group) a conflict meets must be to be written.
    guard: Option<Guard>,
}

/// The plan's rules for an account a user's create (or a group a group's
/// create) meets: whose it is, and whether one that is not the source's
/// may be adopted (users only).
pub(crate) struct Guard {
    /// The desired user's match key (a group's key), for the error.
    pub(crate) key: String,
    /// The plan's ownership rule.
    pub(crate) ownership: Ownership,
    /// The plan's adoption rule.
    pub(crate) adopt: Adoption,
    /// The plan's scope: an account or group out of it is never written
    /// (one for every step).
    pub(crate) scope: std::sync::Arc<Compiled>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CreateState {
    /// Resuming a create that may have happened: look first.
    LookingFirst,
    Creating,
    /// The provider has it already: look it up.
    LookingAfterConflict,
    /// Found after a conflict: its managed attributes are being written.
    Adopting,
}

impl StepRun {
    /// A create of `body`; `resumed` when the journal saw it begin;
    /// `guard` for a user (an account it meets is written only if owned or
    /// adoptable).
    pub(crate) fn create(kind: Kind, body: Value, resumed: bool, guard: Option<Guard>) -> StepRun {
        let state = if resumed {
            CreateState::LookingFirst
        } else {
            CreateState::Creating
        };
        StepRun::Create(Create {
            kind,
            body,
            state,
            guard,
        })
    }

    /// Writes that are safe to repeat.
    pub(crate) fn writes(operations: Vec<Operation<Answer>>, outcome: Outcome) -> StepRun {
        StepRun::Writes {
            operations: operations.into(),
            outcome,
        }
    }

    /// The next request, given the answer to the last one (`None` at first).
    pub(crate) fn next(
        &mut self,
        answer: Option<Result<Answer, Error>>,
        endpoint: &Endpoint,
        profile: &Profile,
    ) -> Next {
        match self {
            StepRun::Create(create) => create.next(answer, endpoint, profile),
            StepRun::Writes {
                operations,
                outcome,
            } => match answer {
                Some(Err(error)) if outcome.tolerates(&error) => Next::Ended(Ok(outcome.clone())),
                Some(Err(error)) => Next::Ended(Err(StepError::from(error))),
                _ => match operations.pop_front() {
                    Some(operation) => Next::Send(Box::new(operation)),
                    None => Next::Ended(Ok(outcome.clone())),
                },
            },
        }
    }
}

impl Create {
    fn next(
        &mut self,
        answer: Option<Result<Answer, Error>>,
        endpoint: &Endpoint,
        profile: &Profile,
    ) -> Next {
        match (self.state, answer) {
            (CreateState::LookingFirst, None) => self.look(endpoint),
            (CreateState::Creating, None) => self.send_create(endpoint),
            (CreateState::LookingFirst, Some(Ok(Answer::Found(found)))) => match found.as_slice() {
                [] => {
                    self.state = CreateState::Creating;
                    self.send_create(endpoint)
                }
                [(id, current)] => match self.not_owned(id, current) {
                    // The account found is someone else's, not the one an
                    // interrupted run made.
                    Some(error) => Next::Ended(Err(error)),
                    None => Next::Ended(Ok(Outcome::FoundCreated { id: id.clone() })),
                },
                _ => self.ambiguous(found.len()),
            },
            (CreateState::Creating, Some(Ok(Answer::Written(Some(id))))) => {
                Next::Ended(Ok(Outcome::Created { id }))
            }
            (CreateState::Creating, Some(Err(error))) if is_conflict(&error) => {
                self.state = CreateState::LookingAfterConflict;
                self.look(endpoint)
            }
            (CreateState::LookingAfterConflict, Some(Ok(Answer::Found(found)))) => {
                match found.as_slice() {
                    [(id, current)] => self.adopt(id, current, endpoint, profile),
                    _ => self.ambiguous(found.len()),
                }
            }
            (CreateState::Adopting, Some(Ok(Answer::Written(Some(id))))) => {
                Next::Ended(Ok(Outcome::Adopted { id }))
            }
            (_, Some(Err(error))) => Next::Ended(Err(StepError::from(error))),
            (_, Some(Ok(answer))) => Next::Ended(Err(StepError::Unexpected {
                answer: format!("{answer:?}"),
            })),
            (_, None) => Next::Ended(Err(StepError::Unexpected {
                answer: "no answer".into(),
            })),
        }
    }

    fn name_attribute(&self) -> &'static str {
        match self.kind {
            Kind::User => "userName",
            Kind::Group => "displayName",
        }
    }

    /// `userName` or `displayName`: unique at every provider, and the one
    /// attribute every provider filters on (Slack v1 cannot filter on
    /// `externalId`).
    fn name(&self) -> &str {
        self.body
            .get(self.name_attribute())
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    fn look(&self, endpoint: &Endpoint) -> Next {
        let query = SearchRequest::new()
            .filter(Filter::eq(self.name_attribute(), self.name()))
            .count(2);
        let built = match self.kind {
            Kind::User => lookup::<User>(endpoint, &query),
            Kind::Group => lookup::<Group>(endpoint, &query),
        };
        send_or_fail(built)
    }

    fn send_create(&self, endpoint: &Endpoint) -> Next {
        let built = match self.kind {
            Kind::User => endpoint
                .create::<User>(&self.body)
                .map(|op| op.map(|user: User| Answer::Written(user.id.into_option()))),
            Kind::Group => endpoint
                .create::<Group>(&self.body)
                .map(|op| op.map(|group: Group| Answer::Written(group.id.into_option()))),
        };
        send_or_fail(built)
    }

    /// The error when the account found (`id`, `current`) is not the
    /// source's under the plan's ownership rule.
    fn not_owned(&self, id: &str, current: &Value) -> Option<StepError> {
        let guard = self.guard.as_ref()?;
        let owned = self.in_scope(current)
            && match self.kind {
                Kind::User => guard.ownership.owns(current),
                Kind::Group => {
                    let theirs = current.get("externalId").and_then(Value::as_str);
                    let ours = self.body.get("externalId").and_then(Value::as_str);
                    guard.ownership.owns_group(theirs, ours)
                }
            };
        if owned {
            return None;
        }
        let text = |name: &str| current.get(name).and_then(Value::as_str).map(str::to_owned);
        Some(StepError::NotOwned {
            key: guard.key.clone(),
            id: id.to_owned(),
            user_name: text(self.name_attribute()).unwrap_or_default(),
            external_id: text("externalId"),
        })
    }

    /// Whether the resource found (`current`) is within the plan's scope.
    fn in_scope(&self, current: &Value) -> bool {
        let Some(guard) = &self.guard else {
            return true;
        };
        let object = current.as_object().cloned().unwrap_or_default();
        match self.kind {
            Kind::User => guard.scope.user_json(&object),
            Kind::Group => guard.scope.group_json(&object),
        }
    }

    /// Writes the body's attributes onto the account found (`current`), as
    /// a PATCH in the profile's form (without what the provider cannot
    /// PATCH) — if it is the source's, or the adoption rule allows taking
    /// it over and the PATCH writes the owned marker; else the step fails
    /// and nothing is sent.
    fn adopt(&mut self, id: &str, current: &Value, endpoint: &Endpoint, profile: &Profile) -> Next {
        self.state = CreateState::Adopting;
        let mut changes: Vec<Change> = self
            .body
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(path, _)| profile.patch.can_patch(path))
            .map(|(path, value)| Change {
                path: path.clone(),
                value: Some(value.clone()),
                from: None,
            })
            .collect();
        if let Some(refused) = self.not_owned(id, current) {
            if self.kind == Kind::Group && self.in_scope(current) {
                // Another system's group: its members are managed (only
                // the source's own ever leave), its name and claim are not.
                return Next::Ended(Ok(Outcome::Matched { id: id.to_owned() }));
            }
            let guard = self.guard.as_ref();
            if let Some(Ownership::Marker { path, value }) = guard.map(|g| &g.ownership) {
                changes.push(Change {
                    path: path.clone(),
                    value: Some(value.clone()),
                    from: None,
                });
            }
            let adoptable = self.kind == Kind::User
                && guard.is_some_and(|guard| {
                    guard.adopt.allows(MatchKey::UserName) && guard.ownership.marked_by(&changes)
                });
            if !adoptable || changes.iter().any(|c| !profile.patch.can_patch(&c.path)) {
                return Next::Ended(Err(refused));
            }
        }
        let body = match render(profile.patch, &changes, Some(current)) {
            Ok(body) => body,
            Err(error) => return Next::Ended(Err(StepError::Client(error))),
        };
        send_or_fail(match self.kind {
            Kind::User => patch::<User>(endpoint, id, &body),
            Kind::Group => patch::<Group>(endpoint, id, &body),
        })
    }

    fn ambiguous(&self, count: usize) -> Next {
        Next::Ended(Err(StepError::Ambiguous {
            name: self.name().to_owned(),
            count,
        }))
    }
}

fn lookup<R: Resource + 'static>(
    endpoint: &Endpoint,
    query: &SearchRequest,
) -> Result<Operation<Answer>, Error> {
    Ok(endpoint.query::<R>(query)?.map(|page: ListResponse<R>| {
        Answer::Found(
            page.resources
                .iter()
                .filter_map(|resource| {
                    let id = resource.id()?.to_owned();
                    // A model resource always serialises.
                    Some((id, serde_json::to_value(resource).unwrap_or(Value::Null)))
                })
                .collect(),
        )
    }))
}

/// A PATCH of resource `id`, answered with that id.
pub(crate) fn patch<R: Resource + 'static>(
    endpoint: &Endpoint,
    id: &str,
    body: &PatchBody,
) -> Result<Operation<Answer>, Error> {
    let written = id.to_owned();
    Ok(endpoint
        .patch::<R>(id, body)?
        .map(move |_| Answer::Written(Some(written.clone()))))
}

fn send_or_fail(built: Result<Operation<Answer>, Error>) -> Next {
    match built {
        Ok(operation) => Next::Send(Box::new(operation)),
        Err(error) => Next::Ended(Err(StepError::from(error))),
    }
}

/// A create refused because the resource exists: 409, or a
/// `uniqueness` scimType under another status (RFC 7644 §3.12).
fn is_conflict(error: &Error) -> bool {
    match error {
        Error::Api(api) => {
            api.status.as_u16() == 409
                || api.scim.as_ref().and_then(|scim| scim.scim_type.as_ref())
                    == Some(&ScimType::Uniqueness)
        }
        _ => false,
    }
}
