// Portail des aides — page script (ES module).
//
// Loaded as <script type="module" src="/static/js/portail.js"> at the end of
// <body>, after the classic script htmx.min.js. The Content Security Policy
// forbids inline scripts, so this module does what GOV.UK Frontend's inline
// snippet and initialisation call normally do, gives the components French
// texts, and keeps keyboard focus sensible after htmx swaps.

import { initAll } from './govuk-frontend.min.js'

/**
 * French texts for the GOV.UK Frontend components whose JavaScript writes
 * text (their defaults are English). Passed to every initAll() call; text
 * given by the templates through data-i18n.* attributes still wins.
 * French plural rules use the forms "one" (0 and 1), "many" and "other".
 */
const FRENCH = {
  accordion: {
    i18n: {
      hideAllSections: 'Masquer toutes les sections',
      hideSection: 'Masquer',
      hideSectionAriaLabel: 'Masquer cette section',
      showAllSections: 'Afficher toutes les sections',
      showSection: 'Afficher',
      showSectionAriaLabel: 'Afficher cette section'
    }
  },
  characterCount: {
    i18n: {
      charactersUnderLimit: {
        one: 'Il vous reste %{count} caractère',
        many: 'Il vous reste %{count} caractères',
        other: 'Il vous reste %{count} caractères'
      },
      charactersAtLimit: 'Il vous reste 0 caractère',
      charactersOverLimit: {
        one: '%{count} caractère en trop',
        many: '%{count} caractères en trop',
        other: '%{count} caractères en trop'
      },
      wordsUnderLimit: {
        one: 'Il vous reste %{count} mot',
        many: 'Il vous reste %{count} mots',
        other: 'Il vous reste %{count} mots'
      },
      wordsAtLimit: 'Il vous reste 0 mot',
      wordsOverLimit: {
        one: '%{count} mot en trop',
        many: '%{count} mots en trop',
        other: '%{count} mots en trop'
      },
      textareaDescription: {
        one: 'Vous pouvez saisir jusqu’à %{count} caractère',
        many: 'Vous pouvez saisir jusqu’à %{count} caractères',
        other: 'Vous pouvez saisir jusqu’à %{count} caractères'
      }
    }
  },
  exitThisPage: {
    i18n: {
      activated: 'Chargement.',
      timedOut: 'Le délai pour quitter la page a expiré.',
      pressTwoMoreTimes: 'Maj, appuyez encore 2 fois pour quitter la page.',
      pressOneMoreTime: 'Maj, appuyez encore 1 fois pour quitter la page.'
    }
  },
  fileUpload: {
    i18n: {
      chooseFilesButton: 'Choisir un fichier',
      dropInstruction: 'ou déposez un fichier ici',
      noFileChosen: 'Aucun fichier choisi',
      multipleFilesChosen: {
        one: '%{count} fichier choisi',
        many: '%{count} fichiers choisis',
        other: '%{count} fichiers choisis'
      },
      enteredDropZone: 'Entrée dans la zone de dépôt',
      leftDropZone: 'Sortie de la zone de dépôt'
    }
  },
  passwordInput: {
    i18n: {
      showPassword: 'Afficher',
      hidePassword: 'Masquer',
      showPasswordAriaLabel: 'Afficher le mot de passe',
      hidePasswordAriaLabel: 'Masquer le mot de passe',
      passwordShownAnnouncement: 'Votre mot de passe est affiché',
      passwordHiddenAnnouncement: 'Votre mot de passe est masqué'
    }
  }
}

/**
 * Mark the page as scripted. GOV.UK Frontend's CSS keys its enhanced styles
 * on these two classes. Only browsers that run ES modules get here, which is
 * exactly GOV.UK Frontend's own test for `govuk-frontend-supported`.
 */
function markJavaScriptEnabled () {
  document.body.classList.add('js-enabled', 'govuk-frontend-supported')
}

/**
 * Move keyboard focus to `element`. An element that is not focusable by
 * itself (heading, error summary) gets tabindex="-1" for as long as it has
 * focus, so that the page's tab order is unchanged afterwards.
 *
 * @param {HTMLElement} element
 */
function focusElement (element) {
  if (!element.hasAttribute('tabindex')) {
    element.setAttribute('tabindex', '-1')
    element.addEventListener('blur', () => element.removeAttribute('tabindex'), { once: true })
  }
  element.focus()
}

/**
 * Return the first element matching `selector` among `roots` (each root
 * itself included), or null.
 *
 * @param {Element[]} roots
 * @param {string} selector
 * @returns {HTMLElement | null}
 */
function findFirst (roots, selector) {
  for (const root of roots) {
    if (root.matches(selector)) return /** @type {HTMLElement} */ (root)
    const found = root.querySelector(selector)
    if (found) return /** @type {HTMLElement} */ (found)
  }
  return null
}

/**
 * Tell whether focus must stay where it is after a swap: the request's
 * element (or an ancestor) says `hx-swap="none"` (nothing changed on screen)
 * or carries `data-app-keep-focus` (e.g. a filter that refreshes results
 * elsewhere while the user keeps working in the filter).
 *
 * @param {CustomEvent} event - an htmx:afterSettle event
 * @returns {boolean}
 */
function keepsFocus (event) {
  const source = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt
  if (!(source instanceof Element)) return false
  if (source.closest('[data-app-keep-focus]')) return true
  const swapElement = source.closest('[hx-swap], [data-hx-swap]')
  const swap = swapElement
    ? (swapElement.getAttribute('hx-swap') || swapElement.getAttribute('data-hx-swap') || '')
    : ''
  return swap.trim().split(/\s+/)[0] === 'none'
}

/**
 * Start the GOV.UK Frontend components (data-module="govuk-…") inside, or
 * at the root of, freshly swapped content. initAll() only looks at the
 * descendants of its scope, so a root that is itself a component is started
 * from its parent; components already running there refuse to start twice
 * (InitError), which is expected and not reported.
 *
 * @param {Element} element - a settled element
 */
function initComponents (element) {
  const scope = element.matches('[data-module]') && element.parentElement
    ? element.parentElement
    : element
  initAll({
    ...FRENCH,
    scope,
    onError (error) {
      if (!(error instanceof Error) || error.name !== 'InitError') console.log(error)
    }
  })
}

/**
 * After htmx has swapped and settled new content: start GOV.UK Frontend
 * components inside it, then move focus:
 * - to the error summary, if the new content has one;
 * - else leave it where it is if htmx already put it back inside the new
 *   content (same-id element, e.g. a field being validated as you type);
 * - else to the first h1 or h2 of the new content.
 *
 * htmx fires htmx:afterSettle once per settled element (several for an
 * outerHTML swap or out-of-band swaps), synchronously one after the other:
 * they are gathered and handled together once, in a microtask.
 */
let settled = null

function onAfterSettle (event) {
  const element = event.target
  if (!(element instanceof Element) || !element.isConnected) return
  if (settled === null) {
    settled = { elements: [], moveFocus: !keepsFocus(event) }
    queueMicrotask(handleSettled)
  }
  settled.elements.push(element)
}

function handleSettled () {
  const { elements, moveFocus } = settled
  settled = null

  elements.forEach(initComponents)
  if (!moveFocus) return

  const errorSummary = findFirst(elements, '.govuk-error-summary')
  if (errorSummary) {
    focusElement(errorSummary)
    return
  }
  const active = document.activeElement
  if (active && active !== document.body && elements.some((root) => root.contains(active))) {
    return
  }
  const heading = findFirst(elements, 'h1, h2')
  if (heading) focusElement(heading)
}

markJavaScriptEnabled()
initAll(FRENCH)
document.body.addEventListener('htmx:afterSettle', onAfterSettle)
