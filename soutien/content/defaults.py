"""Default texts of the public pages, rewritten from the programme's brochure and history.

They are used until the coordinator edits a page (a PageText row then takes over).
Partners, contacts and the provider are NOT written here: they come from the directory.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultText:
    title: str
    description: str
    body: str


DEFAULT_TEXTS: dict[str, DefaultText] = {
    "accueil": DefaultText(
        title="Accueil",
        description=(
            "La mission de soutien technique renforcé accompagne les centres sociaux des "
            "Bouches-du-Rhône, en prévention ou en crise, avec l'aide d'un intervenant extérieur."
        ),
        body="""\
## Qu'est-ce que la mission de soutien technique renforcé ?

La Convention cadre des centres sociaux et de l'animation de la vie sociale des
Bouches-du-Rhône met à la disposition des centres sociaux du département un
**accompagnement sur mesure, assuré par un intervenant extérieur**.

Cet intervenant apporte son expertise sur tous les aspects du fonctionnement d'un centre :
gestion financière, ressources humaines, ingénierie de projets, gouvernance, et au-delà
si besoin.

## Deux situations pour demander un soutien

- **Une démarche préventive** : le gestionnaire du centre repère des signes d'alerte
  (trésorerie tendue, départs, tensions au conseil d'administration…) qui pourraient
  mettre le centre en difficulté, et souhaite agir avant qu'il ne soit trop tard.
- **Une crise avérée** : la situation met en péril l'existence même du centre.

## Pourquoi demander un soutien ?

- Un **regard extérieur** fait apparaître des pistes d'analyse nouvelles et permet
  de voir la situation autrement.
- Un **acteur extérieur** apporte de nouvelles pratiques et complète les outils
  dont le centre dispose déjà.

C'est l'occasion de prendre de la hauteur et d'ouvrir de nouvelles perspectives, pour
un centre social au **fonctionnement renforcé** et un meilleur service rendu aux habitants.
""",
    ),
    "comment-ca-marche": DefaultText(
        title="Comment ça marche ?",
        description=(
            "Les cinq étapes d'une mission de soutien technique renforcé, de la fiche "
            "d'information à la restitution du diagnostic."
        ),
        body="""\
Une demande suit cinq étapes, de la fiche d'information à la restitution du diagnostic.

1. **La fiche d'information.** Le gestionnaire du centre (l'association ou la fédération
   qui le gère) décrit la situation et ses attentes, puis transmet sa demande.
2. **La saisine concertée.** Le centre social et les partenaires financeurs examinent
   ensemble la demande, sous la coordination de la Caf. L'accompagnement commence une fois
   la demande validée par les financeurs.
3. **Le diagnostic « flash ».** L'intervenant se rend dans le centre et réalise un
   diagnostic court de la situation.
4. **Le rapport de diagnostic.** Il est d'abord remis au gestionnaire ; une fois validé par
   celui-ci, il est transmis aux partenaires.
5. **La restitution.** L'intervenant présente le diagnostic au gestionnaire. Si besoin, une
   rencontre est ensuite organisée avec les partenaires.
""",
    ),
    "qui-peut-saisir": DefaultText(
        title="Qui peut saisir la mission ?",
        description=(
            "Qui peut demander une mission de soutien technique renforcé : les administrateurs "
            "d'une association, ou la fédération gestionnaire pour ses centres."
        ),
        body="""\
La demande vient toujours du **gestionnaire** du centre social, c'est-à-dire de
l'organisation qui le gère.

- **Centre géré par une association** : ce sont les **administrateurs** bénévoles de
  l'association qui saisissent la mission.
- **Centre géré par une fédération** : l'**équipe salariée** du centre passe par son
  employeur, **la fédération**, qui saisit la mission.

Pour déposer une demande sur cette plateforme, il faut un compte. Si vous n'en avez pas
encore, demandez-le : la coordination vérifie chaque demande avant d'ouvrir un compte.
""",
    ),
    "qui-finance": DefaultText(
        title="Qui finance la mission ?",
        description=(
            "Les partenaires financeurs de la mission de soutien technique renforcé : État, "
            "Région, Département, Caf et communes signataires de la Convention cadre."
        ),
        body="""\
La mission est financée par les **partenaires signataires** de la Convention cadre des
centres sociaux et de l'animation de la vie sociale. Ce sont eux qui, ensemble, examinent
et valident chaque demande d'accompagnement.
""",
    ),
    "qui-intervient": DefaultText(
        title="Qui intervient ?",
        description=(
            "Le prestataire qui réalise les diagnostics et les accompagnements de la mission "
            "de soutien technique renforcé, désigné par un marché public."
        ),
        body="""\
Les diagnostics et les accompagnements sont réalisés par un **prestataire extérieur**,
désigné par un marché public. Ses intervenants travaillent avec les équipes du centre,
dans le respect des règles de confidentialité.
""",
    ),
    "qui-contacter": DefaultText(
        title="Qui contacter ?",
        description=(
            "Les coordonnées de la coordination de la mission de soutien technique renforcé "
            "et des fédérations signataires, relais pour vos premières questions."
        ),
        body="""\
La **Caf des Bouches-du-Rhône** co-préside la Convention cadre avec l'État. Elle anime le
dispositif partenarial et **coordonne la mission de soutien technique renforcé** : c'est
elle qui reçoit les demandes et réunit les partenaires.

Les **fédérations signataires** de la Convention cadre sont aussi un relais pour répondre
à vos premières questions.
""",
    ),
    "accompagnement": DefaultText(
        title="L'accompagnement",
        description=(
            "Comment se déroule l'accompagnement : coopération avec les bénévoles et les "
            "salariés, appropriation des outils, respect de la confidentialité."
        ),
        body="""\
Une fois la demande validée par les financeurs, l'accompagnement commence.

## Une coopération

L'accompagnement se construit **ensemble**, entre les bénévoles, les salariés du centre et
l'intervenant. L'intervenant se met **au service du centre social**.

## Faire avec, jamais à la place

L'intervenant ne fait jamais « à la place » des équipes. La réussite de l'accompagnement
tient pour beaucoup à la capacité des bénévoles et des salariés à travailler avec lui et à
**s'approprier** les outils et les démarches construits ensemble, pour continuer seuls
ensuite.

## La confidentialité

L'intervenant respecte des **règles de confidentialité**. Le rapport de diagnostic est
d'abord remis au gestionnaire du centre : il n'est transmis aux partenaires qu'une fois
validé par celui-ci.
""",
    ),
    "historique": DefaultText(
        title="Historique de la Convention cadre",
        description=(
            "De 1994 à la Convention 2015–2017 : trente ans de partenariat autour des centres "
            "sociaux des Bouches-du-Rhône, jusqu'à la création de la mission de soutien."
        ),
        body="""\
## Des années 1980 à 2000 : la naissance d'un partenariat

Engagée au milieu des années 1980, la réflexion aboutit à une première Convention cadre des
centres sociaux de la ville de Marseille, le **25 juillet 1994**. Une Convention élargie est
signée le **19 mai 2000** entre l'État, la Région, le Département, le FASILD, la Caisse
d'allocations familiales et sept communes : Aix-en-Provence, La Ciotat, Les Pennes-Mirabeau,
Marseille, Miramas, Port-de-Bouc et Septèmes-les-Vallons.

Jusqu'en 2002, ce travail en commun permet de mieux financer l'animation et la coordination
des centres, de lancer une mission d'appui comptable et financier, de dresser la carte des
centres sociaux, de repérer les besoins de formation et de soutien technique, et de
renforcer le partenariat entre les signataires.

## 2003–2010 : des outils communs

La Convention de 2003 poursuit la mission d'appui à caractère social, crée une mission
d'appui comptable et financière, un **dossier unique de financement** et une procédure de
recrutement des directeurs. Elle est reconduite en 2006 et en 2007 ; Salon-de-Provence et
Vitrolles rejoignent le dispositif en 2006.

Avec la Convention 2008–2010, les partenaires s'engagent sur un financement durable, jusqu'à
112 % du plafond de la Cnaf pour les centres situés en territoire CUCS, clarifient
l'articulation entre le CUCS et la Convention cadre, professionnalisent les personnels
comptables des centres et dressent, avec les centres eux-mêmes, un premier bilan.

## 2011–2014 : évaluer et prévenir

La Convention 2011–2012, prorogée deux fois, recherche un meilleur équilibre entre rigueur de
gestion et association des centres au dispositif :

- une **évaluation continue**, avec la création d'une instance d'évaluation ;
- le **site internet** de la Convention cadre ;
- des **instances territoriales de concertation** sur des territoires pilotes ;
- des **groupes de réflexion** thématiques pour préparer le renouvellement de la Convention.

Résultat : une prévention renforcée, qui se traduit par **moins de cellules
opérationnelles** de crise, grâce à une confiance accrue entre centres et institutions ; des
ressources techniques supplémentaires ; une meilleure information des centres et une
meilleure association de ceux-ci au dispositif.

## 2015–2017 : la mission de soutien technique renforcé

La nouvelle Convention cadre crée la **mission de soutien technique renforcé**, un
accompagnement sur mesure des centres sociaux par un intervenant extérieur.
""",
    ),
    "historique-frise": DefaultText(
        title="Les grandes dates",
        description="Frise chronologique de la Convention cadre.",
        body="""\
- **Années 1980** — Premières réflexions.
- **1994** — 1re Convention cadre (État, Caf 13, Ville de Marseille), signée le 25 juillet.
- **2000** — 1re Convention cadre départementale, signée le 19 mai (État, Caf 13, Région,
  Département, FASILD, Marseille, La Ciotat, Aix-en-Provence, Septèmes-les-Vallons, Miramas,
  Port-de-Bouc, Les Pennes-Mirabeau).
- **2001** — Mise en place des missions d'appui comptable et financière.
- **2003** — Convention cadre 2003–2005 ; missions d'appui comptable, financière et sociale.
- **2006** — Deux nouveaux signataires : Vitrolles et Salon-de-Provence.
- **2008** — Convention cadre 2008–2010.
- **2009–2010** — Bilan du dispositif et pistes de rénovation.
- **2011–2014** — Convention cadre 2011–2012, prorogée à deux reprises.
- **2015–2017** — Convention cadre 2015–2017 : création de la mission de soutien technique
  renforcé.
""",
    ),
    "accessibilite": DefaultText(
        title="Déclaration d'accessibilité",
        description=(
            "Déclaration d'accessibilité de la plateforme Soutien : état de conformité au RGAA, "
            "résultats des tests, contenus non accessibles, contact et voies de recours."
        ),
        body="""\
La Caf des Bouches-du-Rhône s'engage à rendre sa plateforme Soutien accessible, conformément
à l'article 47 de la loi n° 2005-102 du 11 février 2005. À cette fin, elle met en œuvre la
stratégie et les actions décrites dans son
[schéma pluriannuel de mise en accessibilité et son plan d'actions de l'année](/accessibilite/schema/).

Cette déclaration d'accessibilité s'applique à la plateforme Soutien (site public et espace
connecté de la mission de soutien technique renforcé).

## État de conformité

La plateforme Soutien est **non conforme** avec le référentiel général d'amélioration de
l'accessibilité (RGAA), version 4.1.2 : aucun audit complet de conformité n'a encore été
réalisé.

## Résultats des tests

**Taux de conformité : non mesuré.** Un audit complet des 106 critères du RGAA par un
organisme indépendant est prévu au plan d'actions de l'année. En attendant, l'équipe du projet
réalise à chaque version une **autoévaluation** :

- un contrôle automatique de chaque page, publique et connectée, avec l'outil axe-core
  (aucune erreur grave ou critique n'est admise) ;
- un contrôle de chaque page à 360 pixels de large (aucun défilement horizontal) et de la
  navigation au clavier seul sur les parcours principaux (demande, saisine, rapport) ;
- un titre de page unique et un seul titre de premier niveau par page.

## Contenus non accessibles

Les contenus suivants ne sont pas encore pleinement accessibles :

- la carte des demandes par commune (évaluation) : les informations qu'elle montre sont aussi
  données dans un tableau sous la carte ;
- les documents déposés par les utilisateurs (comptes, statuts, procès-verbaux) : ils ne sont
  pas vérifiés et peuvent ne pas être accessibles ; sur demande, la coordination en transmet
  une version accessible quand elle existe.

### Dérogations pour charge disproportionnée

Aucune.

### Contenus non soumis à l'obligation d'accessibilité

Les documents bureautiques déposés par les utilisateurs, qui ne sont pas produits par la
plateforme. Les documents PDF générés par la plateforme (fiche d'information, rapport,
restitution) sont balisés (PDF/UA) et soumis à l'obligation.

## Établissement de cette déclaration

Cette déclaration a été établie le 1er décembre 2026.

### Technologies utilisées

HTML5, CSS, JavaScript (WAI-ARIA pour les composants interactifs), PDF balisé.

### Environnement de test

Les vérifications de restitution de contenus ont été réalisées avec le navigateur Chromium
(version récente, sous Linux), l'outil axe-core, et la navigation au clavier seul.

### Outils pour évaluer l'accessibilité

axe-core, contrôles de contraste, inspection du code et des documents PDF.

### Pages du site ayant fait l'objet de la vérification

- Accueil (/)
- Comment ça marche ? (/comment-ca-marche/)
- Qui peut saisir ? (/qui-peut-saisir/)
- Demander un soutien (/demander-un-soutien/) et Demande de compte (/demande-de-compte/)
- Connexion (/compte/connexion/)
- Mon espace, la liste des dossiers et la page d'un dossier, pour chaque rôle
- La fiche d'information, le rapport de diagnostic et sa validation
- L'évaluation du dispositif et sa carte
- Mentions légales, Données personnelles et la présente déclaration

## Retour d'information et contact

Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter la
coordination (voir la page [Qui contacter ?](/qui-contacter/)) pour être orienté vers une
alternative accessible ou obtenir le contenu sous une autre forme.

## Voies de recours

Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une
fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une
réponse de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de
saisine au Défenseur des droits. Plusieurs moyens sont à votre disposition :

- écrire un message au Défenseur des droits, par son formulaire en ligne
  (www.defenseurdesdroits.fr) ;
- contacter le délégué du Défenseur des droits dans votre région ;
- envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits,
  Libre réponse 71120, 75342 Paris CEDEX 07.
""",
    ),
    "schema-accessibilite": DefaultText(
        title="Schéma pluriannuel d'accessibilité",
        description=(
            "Schéma pluriannuel de mise en accessibilité de la plateforme Soutien (2026–2028) "
            "et plan d'actions de l'année."
        ),
        body="""\
## Schéma pluriannuel 2026–2028

La Caf des Bouches-du-Rhône, coordinatrice de la mission de soutien technique renforcé,
s'engage à rendre la plateforme Soutien accessible à toutes et à tous, bénévoles des
associations, salariés des centres et des fédérations, partenaires et intervenants.

### Organisation

- Un référent accessibilité est désigné au sein de l'équipe de coordination ; il suit le plan
  d'actions et répond aux demandes des usagers.
- Toute évolution de la plateforme est vérifiée avant sa mise en service : contrôle
  automatique de chaque page (axe-core), affichage sur petit écran, navigation au clavier.
- Les personnes qui rédigent les textes du site et les documents (coordination, intervenants)
  sont sensibilisées à la rédaction accessible : titres, liens explicites, documents balisés.

### Moyens

- Un audit complet de conformité au RGAA par un organisme indépendant, puis un audit de
  contrôle après corrections.
- Des tests avec des utilisateurs, dont des personnes en situation de handicap, sur les
  parcours principaux : demander un soutien, donner un avis, valider un rapport.

## Plan d'actions 2026–2027

| Action | Échéance |
|---|---|
| Désigner le référent accessibilité et publier son contact | premier trimestre 2027 |
| Audit complet de conformité RGAA (106 critères) par un organisme indépendant | premier semestre 2027 |
| Corriger les non-conformités relevées par l'audit, en commençant par les parcours de demande | second semestre 2027 |
| Mettre à jour la déclaration d'accessibilité avec le taux de conformité mesuré | après l'audit |
| Proposer une alternative accessible à la carte de l'évaluation (tableau par commune) | fait |
| Vérifier automatiquement chaque page à chaque version (axe-core, 360 pixels, clavier) | fait, en continu |

Ce plan est revu chaque année ; le bilan de l'année écoulée est publié avec le plan suivant.
""",
    ),
    "mentions-legales": DefaultText(
        title="Mentions légales",
        description=(
            "Mentions légales de la plateforme Soutien de la mission de soutien technique "
            "renforcé : éditeur, publication, hébergement."
        ),
        body="""\
## Éditeur

La plateforme Soutien est éditée pour les partenaires de la Convention cadre des centres
sociaux et de l'animation de la vie sociale des Bouches-du-Rhône, par la **Caf des
Bouches-du-Rhône**, coordinatrice de la mission de soutien technique renforcé.

## Directeur de la publication

Le directeur ou la directrice de la Caf des Bouches-du-Rhône.

## Ressources externes

Le site ne charge aucune ressource depuis un autre site : aucune police, aucun script et
aucun traceur tiers. Il ne dépose qu'un cookie technique de session, nécessaire à la
connexion, et un cookie de sécurité des formulaires.

## Propriété des contenus

Les textes de ce site sont issus des documents de la Convention cadre. Les contours des
communes proviennent de l'IGN (Admin Express), sous Licence Ouverte.
""",
    ),
    "donnees-personnelles": DefaultText(
        title="Données personnelles",
        description=(
            "Quelles données personnelles la plateforme Soutien traite, pourquoi, combien de "
            "temps, vos droits et qui contacter pour les exercer."
        ),
        body="""\
## Qui est responsable ?

La **Caf des Bouches-du-Rhône**, coordinatrice de la mission de soutien technique renforcé,
est responsable des traitements réalisés sur cette plateforme.

## Quelles données et pourquoi ?

- **Demandes de compte** : nom, prénom, adresse électronique, organisation ou centre, rôle et
  message. Elles servent à vérifier qui demande un accès avant d'ouvrir un compte.
- **Comptes** : nom, prénom, adresse électronique, téléphone, organisation et rôle. Ils
  permettent de se connecter et de ne voir que les dossiers qui vous concernent.
- **Dossiers de demande de soutien** : la fiche d'information, les documents joints, les avis
  des partenaires, le rapport de diagnostic et le plan d'actions. Ils servent à instruire et
  à suivre chaque mission. Ils peuvent contenir des informations sur des personnes (par
  exemple des salariés ou des administrateurs du centre) : n'y mettez que ce qui est utile.
- **Journal de sécurité** : connexions et consultations des documents, pour protéger la
  confidentialité des dossiers.

Ces traitements reposent sur la mission d'intérêt public confiée aux partenaires de la
Convention cadre. Les données ne sont jamais vendues ni utilisées à des fins commerciales.

## Qui y a accès ?

Seules les personnes qui en ont besoin : la coordination, les partenaires financeurs
concernés par un dossier, l'intervenant désigné et le gestionnaire du centre. Le rapport de
diagnostic n'est transmis aux partenaires qu'après validation par le gestionnaire.

## Vos droits

Vous pouvez accéder à vos données, les faire rectifier ou effacer, en limiter le traitement
ou vous y opposer. Pour cela, écrivez à la coordination (voir la page « Qui contacter ? »).
Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à
la CNIL (www.cnil.fr).
""",
    ),
    "questions-frequentes": DefaultText(
        title="Questions fréquentes",
        description=(
            "Les réponses aux questions les plus posées sur la mission de soutien technique "
            "renforcé et sur la plateforme Soutien."
        ),
        body="""\
## Qui peut demander un soutien ?

Le gestionnaire du centre social : les administrateurs bénévoles de l'association qui le
gère, ou la fédération pour un centre qu'elle gère. Un salarié du centre peut préparer la
fiche et la confier aux administrateurs.

## Combien coûte la mission ?

Rien pour le centre : elle est financée par les partenaires de la Convention cadre.

## Les financeurs liront-ils le rapport de diagnostic ?

Seulement après que le gestionnaire l'a validé, et seulement la version validée. Tant qu'il
ne l'a pas validé, le rapport reste entre le gestionnaire, le consultant et la coordination.

## J'ai oublié mon mot de passe

Sur la page de connexion, « Mot de passe oublié ? » : un lien vous est envoyé par courriel.

## J'ai perdu mon téléphone (double authentification)

Connectez-vous avec l'un de vos codes de secours, puis activez à nouveau la double
authentification depuis « Mon compte ». Sans code de secours, écrivez à la coordination.

## Qui contacter pour une question ?

La coordination de la mission, à la Caf des Bouches-du-Rhône (voir « Qui contacter ? »).
""",
    ),
    # The decision letter (soutien.followup.letters): its paragraphs for a validation and
    # for a refusal, and the recourse sentence. Not public pages: they are printed in the
    # letter, between the facts of the case (centre, request, decision, grounds, partners
    # consulted, contact) that come from the case itself.
    "lettre-decision-validee": DefaultText(
        title="Lettre de décision : demande validée",
        description="Paragraphes de la lettre envoyée au gestionnaire quand les financeurs "
        "valident sa demande.",
        body="""\
Madame, Monsieur,

Les partenaires financeurs de la Convention cadre des centres sociaux et de l'animation
de la vie sociale ont examiné votre demande de mission de soutien technique renforcé lors
de la saisine concertée. Ils l'ont **validée**.

Le prestataire de la mission va prendre contact avec vous pour organiser le diagnostic
« flash » dans votre centre. Son rapport vous sera remis en premier : les partenaires ne le
liront qu'après votre validation.

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.
""",
    ),
    "lettre-decision-refusee": DefaultText(
        title="Lettre de décision : demande refusée",
        description="Paragraphes de la lettre envoyée au gestionnaire quand les financeurs "
        "ne retiennent pas sa demande.",
        body="""\
Madame, Monsieur,

Les partenaires financeurs de la Convention cadre des centres sociaux et de l'animation
de la vie sociale ont examiné votre demande de mission de soutien technique renforcé lors
de la saisine concertée. Ils n'ont **pas retenu** votre demande, pour les motifs indiqués
ci-dessous.

La coordination de la mission reste à votre disposition pour en parler et pour vous
orienter vers d'autres formes d'accompagnement.

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.
""",
    ),
    "lettre-decision-recours": DefaultText(
        title="Lettre de décision : voies de recours",
        description="La phrase de recours imprimée au bas de chaque lettre de décision.",
        body="""\
Vous pouvez contester cette décision par un recours gracieux adressé à la coordination de
la mission, à la Caf des Bouches-du-Rhône, dans les deux mois qui suivent sa réception.
""",
    ),
}
