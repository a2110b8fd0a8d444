"""The « Plan du site » (RGAA 12.1, a second navigation system): the
portal's pages grouped as its main menu groups them.

Who sees what follows the main menu and the policy: every visitor sees the
public pages and, before logging in, the espace usager's pages (each
marked « connexion requise », since it opens after the login page); a
logged-in usager sees the espace usager; an agent of the council sees the
back office instead (and the administration if they administer), because
only agents can open it: listing it to the public would only offer links
that end on « Accès refusé » (RGAA 12.3: the plan's links lead to the page
they name). Pages reached from another page (a demande, a step of the
wizard, a fil de discussion) are listed through the page that leads to them."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from app.reference.espaces_dedies import ESPACES


@dataclass(frozen=True)
class Entry:
    label: str
    href: str
    hint: str | None = None
    children: tuple[Entry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Section:
    title: str
    entries: tuple[Entry, ...]
    intro: str | None = None


def site_map(account, policy) -> list[Section]:
    """The sections ``account`` (the current user, maybe anonymous) can use."""
    anonymous = account is None or not account.is_authenticated
    sections = [_public(anonymous)]
    if anonymous or policy.can_use_espace_personnel(account):
        sections.append(_espace_usager(anonymous))
    if policy.can_access_back_office(account):
        sections.append(_back_office(policy.can_manage_structures(account)))
        if policy.can_administer(account):
            sections.append(_administration())
        sections.append(Section("Mon compte", (_account(),)))
    return sections


def _public(anonymous: bool) -> Section:
    entries = [Entry("Accueil", url_for("public.home"))]
    if anonymous:
        entries += [
            Entry(
                "Se connecter",
                url_for("auth.login"),
                children=tuple(Entry(espace.label, url_for("auth.login", espace=espace.slug), espace.description) for espace in ESPACES),
            ),
            Entry("Créer un compte", url_for("auth.register")),
            Entry("Récupérer mes informations de connexion", url_for("auth.recover")),
        ]
    entries += [
        Entry("Vérifier un accusé de réception", url_for("receipts.verify")),
        Entry("Assistance", url_for("public.assistance")),
        Entry("Déclaration d'accessibilité", url_for("public.accessibilite")),
        Entry("Mentions légales", url_for("public.mentions_legales")),
        Entry("Données personnelles", url_for("public.donnees_personnelles")),
        Entry("Plan du site", url_for("public.plan_du_site")),
    ]
    return Section("Pages publiques", tuple(entries))


def _account() -> Entry:
    return Entry(
        "Mon compte",
        url_for("espace.account"),
        children=(
            Entry("Modifier mes informations personnelles", url_for("espace.account_profile")),
            Entry("Modifier mon adresse électronique", url_for("espace.account_email")),
            Entry("Modifier mon mot de passe", url_for("espace.account_password")),
        ),
    )


def _espace_usager(anonymous: bool) -> Section:
    entries = (
        Entry("Espace personnel", url_for("espace.home")),
        Entry("Déposer une demande d'aide", url_for("depot.catalogue"), "liste des téléservices, puis les étapes de la demande"),
        Entry("Suivre mes demandes d'aide", url_for("suivi.mine"), "chaque demande, son accusé de réception et son fil de discussion"),
        Entry("Mes fils de discussion", url_for("messages.mine")),
        Entry("Ma structure", url_for("structure.home"), "coordonnées et membres de la structure"),
        _account(),
    )
    intro = "Connexion requise : ces pages s'ouvrent après la connexion à votre compte." if anonymous else None
    return Section("Espace usager", entries, intro)


def _back_office(manages_structures: bool) -> Section:
    structures = ()
    if manages_structures:
        structures = (
            Entry("Créer une structure", url_for("instruction.structure_new")),
            Entry("Importer des structures", url_for("instruction.structures_import")),
        )
    return Section(
        "Instruction (agents de la Région)",
        (
            Entry("Instruction", url_for("instruction.home")),
            Entry("Demandes", url_for("instruction.demandes"), "chaque demande, ses documents et son fil de discussion"),
            Entry("Structures", url_for("instruction.structures"), children=structures),
        ),
    )


def _administration() -> Section:
    return Section(
        "Administration",
        (
            Entry("Tableau de bord", url_for("admin.dashboard")),
            Entry("Agents", url_for("admin.agents"), children=(Entry("Créer un agent", url_for("admin.agent_new")),)),
            Entry("Téléservices", url_for("admin.teleservices")),
        ),
    )
