"""The fuzz table: every POST rule of the application, with what it takes
to reach it and the fields it reads.

``FUZZ_TABLE[rule]`` is a list of ``Scenario``: how to build, for each
example, the state the route needs (``prepare(world) -> Target``: the
client that posts, the values only that state knows — ``Ref`` names —, the
demandes whose shape and pages are checked afterwards) and how to draw a
hostile post for it (``posts(world)``: the URL's arguments and the body's
fields, derived from the route's WTForms form classes, or from the
wizard's step declarations, plus random extra names).
``test_every_post_route_is_fuzzed`` fails when a POST rule has no entry
here (a new route without fuzzing) or an entry names no rule."""

import json
from dataclasses import dataclass, field

from flask_wtf.file import FileField
from wtforms.fields import FileField as WtFileField

from app.blueprints.admin.forms import AgentForm, RoleForm, TeleserviceForm
from app.blueprints.auth.forms import LoginForm, RecoveryForm, RegisterForm, ResetPasswordForm
from app.blueprints.common.forms import EmptyForm, InviteForm
from app.blueprints.common.lookup import LookupForm
from app.blueprints.common.threads import MessageForm
from app.blueprints.espace.forms import EmailChangeForm, PasswordChangeForm, ProfileForm
from app.blueprints.instruction.forms.demande import AcceptForm, AssignForm, ComplementsForm, MotifForm, NoteForm
from app.blueprints.instruction.forms.demandes_list import BulkActionForm
from app.blueprints.instruction.forms.structures import ImportForm, StructureForm
from app.blueprints.organisations.forms import OrganisationDetailsForm
from app.blueprints.receipts.forms import VerifyForm
from app.blueprints.structure.forms import ChooseStructureForm, ContactForm
from app.blueprints.suivi.forms import SendBackForm, TakeOverForm, TransmitForm
from app.domain import accounts, invitations, memberships
from app.domain.base import OperationContext
from app.domain.demandes import bulk
from app.domain.organisations import CHOICE_FIELD
from app.domain.wizard.answers import BUDGET_SIDES
from app.domain.wizard.pages import DETAILS, PAGES, page_fields, step_of
from app.domain.wizard.steps import (
    BENEFICIAIRE_CHOICE_FIELDS,
    BENEFICIAIRE_ETRANGER_FIELDS,
    BENEFICIAIRE_FRANCE_FIELDS,
    EST_BENEFICIAIRE_FIELD,
    REOPENABLE_STEPS,
)
from app.domain.wizard.validation import document_field
from app.extensions import db
from app.models import AgentRole, DemandeStatus, MembershipRole
from app.reference.espaces_dedies import ESPACES_BY_SLUG
from tests.fuzz.conftest import demande_state, valid_steps
from tests.fuzz.strategies import FIVE_THOUSAND_DIGITS, Ref, form_fields, hostile_values, path_values, posts
from tests.support.accounts import PASSWORD, REGISTRATION
from tests.support.mail import link_in, outbox
from tests.support.organisations import CLOSED_RNA, SNCF
from tests.support.structures import LYCEE_PRIVE
from tests.support.wizard import valid_answer

NEW_PASSWORD = "Nouveau-Secret-2027?"
CSRF = "csrf_token"


@dataclass
class Target:
    """One example's state: who posts, what the Refs stand for, which demandes to check after."""

    client: object
    refs: dict = field(default_factory=dict)
    demandes: tuple = ()

    def states(self, world) -> dict[int, str]:
        return {demande_id: demande_state(world.demande(demande_id)) for demande_id in self.demandes}


@dataclass
class Scenario:
    rule: str
    name: str
    prepare: object  # (world) -> Target
    fields: object  # (world) -> ({name: values strategy or (strategy, counts)}, uploads)
    path: dict = field(default_factory=dict)  # {argument: strategy}
    query_names: tuple = ()

    def __repr__(self):
        return f"Scenario({self.name!r})"

    def _repr_pretty_(self, printer, cycle):  # Hypothesis's printer of failing examples
        printer.text(repr(self))

    def posts(self, world):
        key = ("posts", self.name)
        if key not in world.memo:
            spec, uploads = self.fields(world)
            strategy = form_fields(spec, uploads)
            world.memo[key] = posts(strategy, self.path, self.query_names) if self.query_names else posts(strategy, self.path)
        return world.memo[key]


# --- fields from the forms ------------------------------------------------------------------


def form_names(world, form_class, *args, **kwargs) -> tuple[list[str], list[str]]:
    """The input names of a WTForms form (its fields, prefix included) and its file inputs."""
    with world.app.test_request_context():
        form = form_class(*args, meta={"csrf": False}, **kwargs)
        names = [f.name for f in form if f.name != CSRF and not isinstance(f, (FileField, WtFileField))]
        uploads = [f.name for f in form if isinstance(f, (FileField, WtFileField))]
    return names, uploads


def spec_of(names, plausible=None, weights=None, counts=None) -> dict:
    """{name: strategy}: hostile values, and the ``plausible`` ones of each name."""
    plausible, weights, counts = plausible or {}, weights or {}, counts or {}
    spec = {}
    for name in names:
        values = hostile_values(plausible.get(name, ()), weight=weights.get(name, 3))
        spec[name] = (values, counts[name]) if name in counts else values
    return spec


def from_forms(*forms, plausible=None, weights=None, counts=None, extra=()):
    """``fields`` for a Scenario: the names of ``forms`` (classes, or (class, args)), plus ``extra`` names."""

    def fields(world):
        names, uploads = [], []
        for form in forms:
            form_class, args = form if isinstance(form, tuple) else (form, ())
            form_fields_, form_uploads = form_names(world, form_class, *args)
            names += form_fields_
            uploads += form_uploads
        return spec_of([*names, *extra], plausible, weights, counts), uploads

    return fields


def ids(*plausible):
    return path_values(tuple(plausible), digits=True)


def strings(*plausible):
    return path_values(tuple(plausible))


LOOKUP_PLAUSIBLE = {
    "lookup-kind": ("siret", "rna"), "lookup-siret": (SNCF, "552 049 447 00039", "00000000000000"), "lookup-rna": (CLOSED_RNA,),
    "lookup-target": ("/instruction/structures/nouvelle", "//evil.example/", "javascript:alert(1)"),
    CHOICE_FIELD: (f"siret:{SNCF}", f"rna:{CLOSED_RNA}", "siret:", ":", "siret:" + FIVE_THOUSAND_DIGITS),
}
LOOKUP_COUNTS = {name: (0, 0, 0, 1, 1, 2) for name in LOOKUP_PLAUSIBLE}
EMPTY = from_forms(EmptyForm)
TOKEN_HOSTILE = ("abc", "a.b.c", "eyJ.eyJ.sig", "." * 100)


# --- prepare: the state each route needs ----------------------------------------------------


def anonymous(world) -> Target:
    return Target(world.app.test_client())


def as_teacher(world) -> Target:
    world.teleservices
    return Target(world.client(world.lycee.teacher.identifiant), {"structure_id": str(world.lycee.structure.id)})


def as_referent(world) -> Target:
    world.teleservices
    return Target(world.client(world.lycee.referent.identifiant), {"structure_id": str(world.lycee.structure.id)})


def as_new_usager(world) -> Target:
    account = world.usager()
    return Target(world.client(account.identifiant), {"email": account.email})


def as_instructeur(world) -> Target:
    return Target(world.client(world.instructeur.identifiant))


def as_admin(world) -> Target:
    return Target(world.client(world.admin.identifiant))


def reset_token(world) -> Target:
    account = world.usager()
    with world.app.test_request_context():
        link = accounts.password_reset_link(account)
    token = link.rsplit("/", 1)[1]
    return Target(world.app.test_client(), {"token": token, "token_tampered": token[:-2] + "xx"})


def activation_token(world) -> Target:
    account = world.usager(active=False)
    token = link_in(outbox(account.email)[-1].body_text, "/activation/").rsplit("/", 1)[1]
    return Target(world.app.test_client(), {"token": token, "token_tampered": token[:-2] + "xx"})


def pending_login(world) -> Target:
    """A client whose login found a pending account (the page offers to resend the link)."""
    account = world.usager(active=False)
    client = world.app.test_client()
    response = client.post("/connexion", data={"identifiant": account.identifiant, "password": PASSWORD})
    assert response.status_code == 422
    return Target(client)


def _invitation(world, structure, role, email=None):
    n = world.number()
    ctx = OperationContext(actor=world.instructeur if role == MembershipRole.REFERENT else world.lycee.referent)
    email = email or f"fz.invite{n}@exemple.fr"
    return invitations.invite(ctx, structure, email=email, role=role, nom="Invitée", prenom=f"Personne {n}")


def registration_with_invitation(world) -> Target:
    invitation = _invitation(world, world.lycee.structure, MembershipRole.MEMBRE)
    n = world.number()
    return Target(
        world.app.test_client(),
        {"invitation": invitations.invitation_token(invitation), "identifiant": f"fzinscrit{n}", "email": f"fz.inscrit{n}@exemple.fr"},
    )


def invitation_to_accept(world) -> Target:
    """An invitation to the lycée, and a client of an account with the invited address."""
    account = world.usager()
    invitation = _invitation(world, world.lycee.structure, MembershipRole.MEMBRE, email=account.email)
    token = invitations.invitation_token(invitation)
    return Target(world.client(account.identifiant), {"token": token, "token_tampered": token[:-2] + "xx"})


def invitation_of_another_address(world) -> Target:
    """An invitation to the lycée sent to an address, and a client of an account with another one."""
    account = world.usager()
    invitation = _invitation(world, world.lycee.structure, MembershipRole.MEMBRE)
    token = invitations.invitation_token(invitation)
    return Target(world.client(account.identifiant), {"token": token, "token_tampered": token[:-2] + "xx"})


def referent_invitation(world) -> Target:
    target = as_referent(world)
    invitation = _invitation(world, world.lycee.structure, MembershipRole.MEMBRE)
    target.refs["invitation_id"] = str(invitation.id)
    return target


def agent_invitation(world) -> Target:
    target = as_instructeur(world)
    invitation = _invitation(world, world.lycee.structure, MembershipRole.REFERENT)
    target.refs |= {"invitation_id": str(invitation.id), "structure_id": str(world.lycee.structure.id)}
    return target


def new_referent_and_member(world) -> Target:
    """A new référent of the lycée (who posts) and a new member (the membership acted on)."""
    from tests.support.structures import attach

    referent, member = world.usager(), world.usager()
    attach(referent, world.lycee.structure, role=MembershipRole.REFERENT)
    membership = attach(member, world.lycee.structure, role=MembershipRole.MEMBRE)
    return Target(world.client(referent.identifiant), {"membership_id": str(membership.id)})


def _with_demande(base, status):
    def prepare(world) -> Target:
        demande = world.demande_kept_in(status)
        target = base(world)
        target.refs |= {"demande_id": str(demande.id), "agent_id": str(world.instructeur.id), "member_id": str(world.lycee.teacher.id)}
        target.demandes = (demande.id,)
        return target

    return prepare


def orphan_demande(world) -> Target:
    """A déposée demande whose author was detached: the référent may give it to a member."""

    def build():
        author = world.usager()
        from tests.support.structures import attach

        membership = attach(author, world.lycee.structure, role=MembershipRole.MEMBRE)
        demande = world.demande_in(DemandeStatus.DEPOSEE, author=author)
        memberships.detach(OperationContext(actor=world.lycee.referent), membership)
        return demande

    from app import policy

    demande = world.kept("orphan", build, lambda d: policy.can_take_over(world.lycee.referent, d))
    target = as_referent(world)
    target.refs |= {"demande_id": str(demande.id), "member_id": str(world.lycee.teacher.id), "referent_id": str(world.lycee.referent.id)}
    target.demandes = (demande.id,)
    return target


def bulk_selection(world) -> Target:
    transmise = world.demande_kept_in(DemandeStatus.TRANSMISE)
    instruite = world.demande_kept_in(DemandeStatus.EN_INSTRUCTION)
    target = as_instructeur(world)
    target.refs |= {"demande_id": str(transmise.id), "other_id": str(instruite.id), "agent_id": str(world.instructeur.id)}
    target.demandes = (transmise.id, instruite.id)
    return target


def new_agent(world) -> Target:
    target = as_admin(world)
    agent = world.agent()
    if world.number() % 2:  # a disabled one half of the time (« Réactiver »)
        from app.domain import agents

        agents.disable_agent(OperationContext(actor=world.admin), agent)
    target.refs["agent_id"] = str(agent.id)
    return target


def teleservice_admin(world) -> Target:
    target = as_admin(world)
    teleservice = world.teleservices
    db.session.expire_all()
    target.refs["version"] = str(teleservice.current_version.number)
    return target


# --- the wizard -----------------------------------------------------------------------------

ACTIONS = (
    "suivant", "precedent", "enregistrer", "deposer", "renvoyer-complements", "add-budget-depenses", "add-budget-recettes",
    "remove-budget-depenses-0", "remove-budget-recettes-1", "remove-budget-depenses-9999", "add-inconnu-depenses",
    "remove-budget-depenses-" + "9" * 30, "remove-document-1", "remove-document-abc", "remove-document-" + "9" * 25,
    "remove-document-" + FIVE_THOUSAND_DIGITS, "remove-document-", "remove-document-²",
)


# Valid answers of the field types only the beneficiary's page has.
BENEFICIARY_TYPES = {"siret": SNCF, "rna": CLOSED_RNA, "naf": "49.10Z", "forme_juridique": "5710", "url": "https://www.exemple.fr"}


def _plausible_answers(fields) -> dict:
    found = {}
    for f in fields:
        if f.type == "budget":
            continue
        answer = BENEFICIARY_TYPES[f.type] if f.type in BENEFICIARY_TYPES else valid_answer(f)
        found[f.code] = tuple(answer) if isinstance(answer, list) else (answer,)
        if f.choices:
            found[f.code] += tuple(value for value, _ in f.choices)
    return found


def wizard_fields(page):
    def fields(world):
        definition = world.teleservices.current_version.definition
        if page == "beneficiaire":
            declared = (EST_BENEFICIAIRE_FIELD, *BENEFICIAIRE_CHOICE_FIELDS)
        elif page == DETAILS:
            declared = tuple({f.code: f for f in (*BENEFICIAIRE_FRANCE_FIELDS, *BENEFICIAIRE_ETRANGER_FIELDS)}.values())
        else:
            declared = page_fields(definition, page, {})
        plausible = _plausible_answers(declared)
        names = [f.code for f in declared if f.type != "budget"]
        for budget in (f for f in declared if f.type == "budget"):
            for side, label in BUDGET_SIDES.items():
                for index in ("0", "1", "99999999999999999999", FIVE_THOUSAND_DIGITS):
                    for column in (label, "montant"):
                        name = f"{budget.code}-{side}-{index}-{column}"
                        names.append(name)
                        plausible[name] = ("1 200,50", "800", "-5", "Transport") if column == "montant" else ("Transport", "Fonds propres")
                names.append(f"{budget.code}-{side}-0-{'origine' if label == 'nature' else 'nature'}")
        step = step_of(page)
        valid = valid_steps(definition, "prof@exemple.fr", other_beneficiary=page == DETAILS)[step]
        plausible |= {
            "version": (Ref("version"),),
            "action": ACTIONS,
            "affiche": tuple(f.code for f in declared),
            "conflict_answers": (json.dumps(valid, ensure_ascii=False), json.dumps({**valid, "inconnu": {"a": [1]}})),
            "retour": ("recapitulatif",),
        }
        names += ["version", "action", "affiche", "conflict_answers", "retour"]
        counts = {"conflict_answers": (0, 0, 0, 0, 0, 1, 2), "retour": (0, 0, 0, 1)}
        if page == DETAILS:
            lookup, _ = form_names(world, LookupForm)
            names += [*lookup, CHOICE_FIELD]
            plausible |= LOOKUP_PLAUSIBLE
            counts |= LOOKUP_COUNTS
        uploads = [document_field(d.code) for d in definition.documents] if step == "dossier" else []
        return spec_of(names, plausible, weights={"version": 10, "action": 4}, counts=counts), uploads

    return fields


def draft_at(page):
    def prepare(world) -> Target:
        demande = world.draft_at(page)
        target = Target(world.client(world.lycee.teacher.identifiant), {"demande_id": str(demande.id), "step": page}, (demande.id,))
        target.refs["version"] = str(demande.version)
        return target

    return prepare


def complements_at(page):
    """A demande the council reopened (« compléments demandés », step « dossier »)."""

    def prepare(world) -> Target:
        demande = world.demande_kept_in(DemandeStatus.COMPLEMENTS_DEMANDES)
        target = Target(world.client(demande.author.identifiant), {"demande_id": str(demande.id), "step": page}, (demande.id,))
        target.refs["version"] = str(demande.version)
        return target

    return prepare


WIZARD = "/demandes/<int:demande_id>/etapes/<step>"
WIZARD_PATH = {"demande_id": ids(Ref("demande_id")), "step": strings(Ref("step"))}
WIZARD_SCENARIOS = [
    Scenario(WIZARD, f"wizard-{page}", draft_at(page), wizard_fields(page), WIZARD_PATH, query_names=("retour", "enregistre", "lookup-kind"))
    for page in PAGES
] + [
    Scenario(WIZARD, f"wizard-complements-{page}", complements_at(page), wizard_fields(page), WIZARD_PATH, query_names=("retour",))
    for page in ("dossier", "recapitulatif")
]


# --- the table ------------------------------------------------------------------------------

DEMANDE_PATH = {"demande_id": ids(Ref("demande_id"))}
STRUCTURE_PLAUSIBLE = {name: (value,) for name, value in LYCEE_PRIVE.items()} | {
    "famille": ("lycee_prive", "association", "lycee_public", "particulier"),
    "organisme_gestion": ("77567227221138", "OGEC Saint-Exupéry"),
    "lookup_key": (f"siret:{SNCF}", "siret:" + FIVE_THOUSAND_DIGITS),
}
PROFILE = {"civilite": ("madame", "monsieur"), "nom": ("Dupont",), "prenom": ("Jeanne",)}
NEW_PASSWORDS = {"password": (NEW_PASSWORD,), "password_confirmation": (NEW_PASSWORD,)}
DATES = ("15/01/2027", "2027-01-15", "01/01/2020")
INVITE = {"email": ("invitee@exemple.fr", "prof@exemple.fr"), "nom": ("Martin",), "prenom": ("Aïcha",)}


def scenario(rule, prepare, fields=EMPTY, path=None, name=None, query_names=()):
    return Scenario(rule, name or rule, prepare, fields, path or {}, query_names)


FUZZ_TABLE = {
    # Anonymous visitors
    "/connexion": [scenario(
        "/connexion", anonymous, from_forms(LoginForm, plausible={"identifiant": ("prof", "PROF", " prof ", "fz.admin"), "password": (PASSWORD,)}),
        query_names=("next",),
    )],
    "/connexion/<espace>": [scenario(
        "/connexion/<espace>", anonymous, from_forms(LoginForm, plausible={"identifiant": ("prof",), "password": (PASSWORD,)}),
        {"espace": strings(*ESPACES_BY_SLUG)}, query_names=("next",),
    )],
    "/creer-un-compte": [scenario(
        "/creer-un-compte", registration_with_invitation,
        from_forms(RegisterForm, plausible={k: (v,) for k, v in REGISTRATION.items()} | {"identifiant": (Ref("identifiant"),),
                   "email": (Ref("email"),), "email_confirmation": (Ref("email"),)}),
        query_names=("invitation",),
    )],
    "/recuperer-mes-informations": [scenario(
        "/recuperer-mes-informations", anonymous, from_forms(RecoveryForm, plausible={"email": ("prof@exemple.fr", "PROF@exemple.fr")}),
    )],
    "/nouveau-mot-de-passe/<token>": [scenario(
        "/nouveau-mot-de-passe/<token>", reset_token, from_forms(ResetPasswordForm, plausible=NEW_PASSWORDS),
        {"token": strings(Ref("token"), Ref("token_tampered"), *TOKEN_HOSTILE)},
    )],
    "/activation/<token>/nouveau-lien": [scenario(
        "/activation/<token>/nouveau-lien", activation_token, path={"token": strings(Ref("token"), Ref("token_tampered"), *TOKEN_HOSTILE)},
    )],
    "/activation/renvoyer": [scenario("/activation/renvoyer", pending_login)],
    "/verification": [scenario("/verification", anonymous, from_forms(VerifyForm))],
    # Every account
    "/deconnexion": [scenario("/deconnexion", as_new_usager)],
    "/compte/informations": [scenario("/compte/informations", as_new_usager, from_forms(ProfileForm, plausible=PROFILE))],
    "/compte/adresse-electronique": [scenario(
        "/compte/adresse-electronique", as_new_usager,
        from_forms(EmailChangeForm, plausible={"email": ("nouvelle@exemple.fr", Ref("email")), "email_confirmation": ("nouvelle@exemple.fr",)}),
    )],
    "/compte/mot-de-passe": [scenario(
        "/compte/mot-de-passe", as_new_usager, from_forms(PasswordChangeForm, plausible={"current_password": (PASSWORD,), **NEW_PASSWORDS}),
    )],
    "/invitation/<token>/accepter": [scenario(
        "/invitation/<token>/accepter", invitation_to_accept, path={"token": strings(Ref("token"), Ref("token_tampered"), *TOKEN_HOSTILE)},
    ), scenario(
        "/invitation/<token>/accepter", invitation_of_another_address,
        path={"token": strings(Ref("token"), Ref("token_tampered"), *TOKEN_HOSTILE)}, name="/invitation/<token>/accepter (another address)",
    )],
    "/invitation/<token>/confirmation": [scenario(
        "/invitation/<token>/confirmation", invitation_of_another_address,
        path={"token": strings(Ref("token"), Ref("token_tampered"), *TOKEN_HOSTILE)},
    )],
    # Ma structure
    "/structure/choisir": [scenario(
        "/structure/choisir", as_teacher, from_forms(ChooseStructureForm, plausible={"structure_id": (Ref("structure_id"),)}),
    )],
    "/structure/coordonnees": [scenario(
        "/structure/coordonnees", as_referent,
        from_forms(ContactForm, plausible={"email": ("contact@exemple.fr",), "telephone": ("05 61 00 00 00", "+33 5 61 00 00 00")}),
    )],
    "/structure/inviter": [scenario("/structure/inviter", as_referent, from_forms(InviteForm, plausible=INVITE))],
    "/structure/invitations/<int:invitation_id>/<any(renvoyer, annuler):action>": [scenario(
        "/structure/invitations/<int:invitation_id>/<any(renvoyer, annuler):action>", referent_invitation,
        path={"invitation_id": ids(Ref("invitation_id")), "action": strings("renvoyer", "annuler")},
    )],
    "/structure/membres/<int:membership_id>/detacher": [scenario(
        "/structure/membres/<int:membership_id>/detacher", new_referent_and_member, path={"membership_id": ids(Ref("membership_id"))},
    )],
    "/structure/membres/<int:membership_id>/referent": [scenario(
        "/structure/membres/<int:membership_id>/referent", new_referent_and_member, path={"membership_id": ids(Ref("membership_id"))},
    )],
    # Déposer, suivre
    "/demandes/nouvelle/<code>": [scenario("/demandes/nouvelle/<code>", as_teacher, path={"code": strings("TRAJ", "SPRO", "PVILLE", "traj")})],
    WIZARD: WIZARD_SCENARIOS,
    "/demandes/<int:demande_id>/transmettre": [scenario(
        "/demandes/<int:demande_id>/transmettre", _with_demande(as_referent, DemandeStatus.DEPOSEE),
        from_forms(TransmitForm, plausible={"ca_date": DATES, "confirm": ("y", "on", "oui")}), DEMANDE_PATH,
    )],
    "/demandes/<int:demande_id>/renvoyer": [scenario(
        "/demandes/<int:demande_id>/renvoyer", _with_demande(as_referent, DemandeStatus.DEPOSEE),
        from_forms(SendBackForm, plausible={"message": ("Merci de revoir le budget.",)}), DEMANDE_PATH,
    )],
    "/demandes/<int:demande_id>/confier": [scenario(
        "/demandes/<int:demande_id>/confier", orphan_demande,
        from_forms((TakeOverForm, ([],)), plausible={"auteur": (Ref("member_id"), Ref("referent_id"))}), DEMANDE_PATH,
    )],
    "/demandes/<int:demande_id>/messages": [scenario(
        "/demandes/<int:demande_id>/messages", _with_demande(as_teacher, DemandeStatus.TRANSMISE),
        from_forms(MessageForm, plausible={"message": ("Bonjour,\n\nVoici le devis.",), "depuis": ("fil", "demande")}), DEMANDE_PATH,
    )],
    # Back office: a demande
    "/instruction/demandes/<int:demande_id>/accepter": [scenario(
        "/instruction/demandes/<int:demande_id>/accepter", _with_demande(as_instructeur, DemandeStatus.EN_INSTRUCTION),
        from_forms(AcceptForm, plausible={"montant": ("100", "1 234,50", "0,001"), "decision_date": DATES, "instance": ("Commission permanente",)}),
        DEMANDE_PATH,
    )],
    "/instruction/demandes/<int:demande_id>/attribuer": [scenario(
        "/instruction/demandes/<int:demande_id>/attribuer", _with_demande(as_instructeur, DemandeStatus.TRANSMISE),
        from_forms(AssignForm, plausible={"agent": (Ref("agent_id"),)}), DEMANDE_PATH,
    )],
    "/instruction/demandes/<int:demande_id>/classer": [scenario(
        "/instruction/demandes/<int:demande_id>/classer", _with_demande(as_instructeur, DemandeStatus.EN_INSTRUCTION),
        from_forms(MotifForm, plausible={"motif": ("Projet abandonné.",), "decision_date": DATES, "instance": ("Commission",)}), DEMANDE_PATH,
    )],
    "/instruction/demandes/<int:demande_id>/complements": [scenario(
        "/instruction/demandes/<int:demande_id>/complements", _with_demande(as_instructeur, DemandeStatus.EN_INSTRUCTION),
        from_forms(ComplementsForm, plausible={"message": ("Un second devis.",), "steps": (*REOPENABLE_STEPS, "preambule", "recapitulatif")}),
        DEMANDE_PATH,
    )],
    "/instruction/demandes/<int:demande_id>/messages": [scenario(
        "/instruction/demandes/<int:demande_id>/messages", _with_demande(as_instructeur, DemandeStatus.TRANSMISE),
        from_forms(MessageForm, plausible={"message": ("Bonjour,",), "depuis": ("fil", "demande")}), DEMANDE_PATH,
    )],
    "/instruction/demandes/<int:demande_id>/notes": [scenario(
        "/instruction/demandes/<int:demande_id>/notes", _with_demande(as_instructeur, DemandeStatus.EN_INSTRUCTION),
        from_forms(NoteForm, plausible={"body": ("Vu avec le lycée.",)}), DEMANDE_PATH,
    )],
    "/instruction/demandes/<int:demande_id>/passer-en-instruction": [scenario(
        "/instruction/demandes/<int:demande_id>/passer-en-instruction", _with_demande(as_instructeur, DemandeStatus.TRANSMISE), path=DEMANDE_PATH,
    )],
    "/instruction/demandes/<int:demande_id>/refuser": [scenario(
        "/instruction/demandes/<int:demande_id>/refuser", _with_demande(as_instructeur, DemandeStatus.EN_INSTRUCTION),
        from_forms(MotifForm, plausible={"motif": ("Hors du dispositif.",), "decision_date": DATES, "instance": ("Commission",)}), DEMANDE_PATH,
    )],
    # Back office: the list's bulk actions
    **{
        rule: [scenario(
            rule, bulk_selection,
            from_forms(BulkActionForm, plausible={
                "demande": (Ref("demande_id"), Ref("other_id"), "²", "²³"), "action": tuple(bulk.BULK_ACTIONS),
                "agent_id": (Ref("agent_id"),), "retour": ("/instruction/demandes?statut=transmise", "/instruction/demandes?structure=" + "9" * 30),
            }, weights={"demande": 5, "action": 6}),
        )]
        for rule in ("/instruction/demandes/actions", "/instruction/demandes/actions/confirmer")
    },
    # Back office: structures
    "/instruction/structures/<int:structure_id>/invitations/<int:invitation_id>/<any(renvoyer, annuler):action>": [scenario(
        "/instruction/structures/<int:structure_id>/invitations/<int:invitation_id>/<any(renvoyer, annuler):action>", agent_invitation,
        path={"structure_id": ids(Ref("structure_id")), "invitation_id": ids(Ref("invitation_id")), "action": strings("renvoyer", "annuler")},
    )],
    "/instruction/structures/<int:structure_id>/inviter": [scenario(
        "/instruction/structures/<int:structure_id>/inviter", lambda w: _structure_target(w, as_instructeur),
        from_forms(InviteForm, plausible=INVITE), {"structure_id": ids(Ref("structure_id"))},
    )],
    "/instruction/structures/<int:structure_id>/modifier": [scenario(
        "/instruction/structures/<int:structure_id>/modifier", lambda w: _structure_target(w, as_instructeur),
        from_forms(StructureForm, plausible=STRUCTURE_PLAUSIBLE), {"structure_id": ids(Ref("structure_id"))},
    )],
    "/instruction/structures/nouvelle": [scenario(
        "/instruction/structures/nouvelle", as_instructeur,
        from_forms(StructureForm, LookupForm, plausible=STRUCTURE_PLAUSIBLE | LOOKUP_PLAUSIBLE, counts=LOOKUP_COUNTS, extra=(CHOICE_FIELD,)),
    )],
    "/instruction/structures/import": [scenario("/instruction/structures/import", as_instructeur, from_forms(ImportForm))],
    # Administration
    "/administration/agents/nouveau": [scenario(
        "/administration/agents/nouveau", as_admin,
        from_forms(AgentForm, plausible={**PROFILE, "identifiant": ("agent.nouveau", "prof"), "email": ("agent@region.example",),
                                         "role": tuple(AgentRole)}),
    )],
    "/administration/agents/<int:agent_id>/desactiver": [scenario(
        "/administration/agents/<int:agent_id>/desactiver", new_agent, path={"agent_id": ids(Ref("agent_id"))},
    )],
    "/administration/agents/<int:agent_id>/reactiver": [scenario(
        "/administration/agents/<int:agent_id>/reactiver", new_agent, path={"agent_id": ids(Ref("agent_id"))},
    )],
    "/administration/agents/<int:agent_id>/lien-mot-de-passe": [scenario(
        "/administration/agents/<int:agent_id>/lien-mot-de-passe", new_agent, path={"agent_id": ids(Ref("agent_id"))},
    )],
    "/administration/agents/<int:agent_id>/role": [scenario(
        "/administration/agents/<int:agent_id>/role", new_agent, from_forms(RoleForm, plausible={"role": tuple(AgentRole)}),
        {"agent_id": ids(Ref("agent_id"))},
    )],
    "/administration/teleservices/<code>/modifier": [scenario(
        "/administration/teleservices/<code>/modifier", teleservice_admin,
        from_forms(TeleserviceForm, plausible={"version": (Ref("version"),), "ouverture": ("01/09/2026",), "cloture": ("30/06/2027",),
                                                "description": ("Une description.",), "preambule": ("Un préambule.",)}),
        {"code": strings("TRAJ", "SPRO", "PVILLE")},
    )],
    # Organisation look-up
    "/organisations/recherche": [scenario(
        "/organisations/recherche", as_instructeur,
        from_forms(LookupForm, OrganisationDetailsForm, plausible=LOOKUP_PLAUSIBLE | {
            "raison_sociale": ("SNCF",), "siret": (SNCF,), "adresse": ("1 rue",), "code_postal": ("75001",), "commune": ("Paris",),
            "naf_code": ("49.10Z",), "forme_juridique_code": ("5710",), "lookup_key": (f"siret:{SNCF}",),
        }, counts=LOOKUP_COUNTS, extra=(CHOICE_FIELD,)),
    )],
    "/organisations/recherche/resultat": [scenario(
        "/organisations/recherche/resultat", as_teacher, from_forms(LookupForm, plausible=LOOKUP_PLAUSIBLE, extra=(CHOICE_FIELD,)),
    )],
}


def _structure_target(world, base) -> Target:
    target = base(world)
    target.refs["structure_id"] = str(world.lycee.structure.id)
    return target


SCENARIOS = [s for scenarios in FUZZ_TABLE.values() for s in scenarios]
