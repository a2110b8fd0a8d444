// Portail des aides — page script (ES module).
//
// Loaded as <script type="module" src="/static/js/portail.js"> at the end of
// <body>, after the classic script htmx.min.js. The Content Security Policy
// forbids inline scripts, so this module does what GOV.UK Frontend's inline
// snippet and initialisation call normally do, gives the components French
// texts, keeps keyboard focus sensible after htmx swaps, and makes sure every
// answer an htmx request gets reaches the person: a form being sent says so
// (its buttons disabled, « Envoi en cours… » announced), and any failure —
// an error status, no answer, a timeout — is explained in French above the
// form, focused and announced, with everything typed left in the form.

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
 * element (or an ancestor) says `data-hx-swap="none"` (nothing changed on screen)
 * or carries `data-app-keep-focus` (e.g. a filter that refreshes results
 * elsewhere while the user keeps working in the filter).
 *
 * @param {Element | null | undefined} source - the element that sent the request
 * @returns {boolean}
 */
function keepsFocus (source) {
  if (!(source instanceof Element)) return false
  if (source.closest('[data-app-keep-focus]')) return true
  const swapElement = source.closest('[data-hx-swap]')
  const swap = swapElement
    ? (swapElement.getAttribute('data-hx-swap') || '')
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
    // Focus after a swap is handleSettled's: an error summary swapped in
    // must not take it by itself (a filter row refreshed while the person
    // tabs on, RGAA 7.4). On a page load it still does, as GOV.UK intends.
    errorSummary: { disableAutoFocus: true },
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
 * - else to what the server says changed (``data-app-focus="<id>"``: a new
 *   budget line, the « Brouillon enregistré » message, a question that
 *   appeared);
 * - else leave it where it is if htmx already put it back inside the new
 *   content (same-id element, e.g. a field being validated as you type);
 * - else to the first h1 or h2 of the new content.
 *
 * htmx fires htmx:afterSettle once per settled element (several for an
 * outerHTML swap or out-of-band swaps), synchronously one after the other:
 * they are gathered and handled together once, in a microtask.
 */
let settled = null

/**
 * What was true just before the answer was swapped in: whether its request
 * keeps focus (read from the element that sent it, which out-of-band
 * settle events do not carry), and the id of the element that had focus —
 * the person may have moved on (Tab) while the request was in flight, into
 * content the answer replaces (a filter row swapped out of band).
 */
let swapping = null

function onBeforeSwap (event) {
  cancelAnnouncement()
  const config = event.detail.requestConfig
  const active = document.activeElement
  swapping = {
    keepFocus: keepsFocus(config && config.elt),
    focusedId: active && active !== document.body && active.id ? active.id : null
  }
}

function onAfterSettle (event) {
  const element = event.target
  if (!(element instanceof Element) || !element.isConnected) return
  if (settled === null) {
    const config = event.detail && event.detail.requestConfig
    settled = swapping
      ? { elements: [], moveFocus: !swapping.keepFocus, focusedId: swapping.focusedId }
      : { elements: [], moveFocus: !keepsFocus(config && config.elt), focusedId: null }
    swapping = null
    queueMicrotask(handleSettled)
  }
  settled.elements.push(element)
}

/**
 * Focus stays with the person: if the element they were on was replaced,
 * its new copy (same id) gets focus back.
 *
 * @param {string | null} focusedId
 */
function restoreFocus (focusedId) {
  const active = document.activeElement
  if (!focusedId || (active && active !== document.body && active.isConnected)) return
  const element = document.getElementById(focusedId)
  if (element) element.focus()
}

function handleSettled () {
  const { elements, moveFocus, focusedId } = settled
  settled = null

  elements.forEach(initComponents)
  if (!moveFocus) {
    restoreFocus(focusedId)
    return
  }

  const errorSummary = findFirst(elements, '.govuk-error-summary')
  if (errorSummary) {
    focusElement(errorSummary)
    return
  }
  const pointer = findFirst(elements, '[data-app-focus]')
  const changed = pointer && document.getElementById(pointer.getAttribute('data-app-focus'))
  if (changed) {
    focusElement(changed)
    return
  }
  const active = document.activeElement
  if (active && active !== document.body && elements.some((root) => root.contains(active))) {
    return
  }
  const heading = findFirst(elements, 'h1, h2')
  if (heading) focusElement(heading)
}

// --- Requests in flight, and requests that fail ---------------------------------------------

/**
 * What the person is told when a request gets no usable answer, by status
 * (``0``: no answer at all; ``timeout``: no answer in time). Used when the
 * answer itself carries no French explanation (``[data-app-error]``, which
 * every error page of the portal has), e.g. an answer from a proxy.
 */
const REQUEST_ERRORS = {
  0: ['Le portail ne répond pas', 'Votre connexion à Internet est peut-être interrompue. Vérifiez-la, puis envoyez à nouveau le formulaire.'],
  timeout: ['Le portail ne répond pas', 'Le portail met trop de temps à répondre. Patientez quelques instants, puis envoyez à nouveau le formulaire.'],
  400: ['Requête incorrecte', 'Ce qui a été envoyé n’a pas pu être compris. Envoyez à nouveau le formulaire.'],
  401: ['Votre session a pris fin', 'Reconnectez-vous, puis envoyez à nouveau le formulaire.'],
  403: ['Accès refusé', 'Vous n’avez pas les droits nécessaires pour cette action.'],
  404: ['Page introuvable', 'Ce que vous vouliez modifier n’existe plus ou ne vous est plus accessible.'],
  413: ['Envoi trop volumineux', 'Les informations ou le fichier envoyés dépassent la taille autorisée. Choisissez un fichier plus petit, puis envoyez à nouveau le formulaire.'],
  429: ['Trop de tentatives', 'Vous avez fait trop de tentatives en peu de temps. Patientez quelques minutes avant de réessayer.'],
  500: ['Une erreur est survenue', 'Le service a rencontré un problème. Réessayez dans quelques instants.'],
  502: ['Service indisponible', 'Le service est momentanément indisponible. Réessayez dans quelques instants.']
}
const KEPT = 'Ce que vous avez saisi est toujours dans le formulaire.'
const BUSY = 'Envoi en cours, veuillez patienter…'

/**
 * The live region of the page (``#app-live-status``): say ``text`` to screen
 * readers. The region is emptied first and filled a moment later, so that the
 * same words said twice are announced twice; an announcement still waiting is
 * dropped by the next one, and by an answer that fills the region itself
 * (``data-hx-swap-oob``: « Brouillon enregistré… »), see cancelAnnouncement.
 */
let pendingAnnouncement = null

function announce (text) {
  const region = document.getElementById('app-live-status')
  if (!region) return
  cancelAnnouncement()
  region.textContent = ''
  pendingAnnouncement = window.setTimeout(() => {
    pendingAnnouncement = null
    region.textContent = text
  }, 50)
}

function cancelAnnouncement () {
  if (pendingAnnouncement !== null) window.clearTimeout(pendingAnnouncement)
  pendingAnnouncement = null
}

/**
 * The form a request belongs to: the element that sent it, or the form it
 * sits in (a button, a select that filters…).
 *
 * @param {Element} element
 * @returns {HTMLFormElement | null}
 */
function formOf (element) {
  if (element instanceof HTMLFormElement) return element
  return element instanceof Element ? element.closest('form') : null
}

/**
 * Mark ``form`` busy: its buttons disabled (a second click sends nothing
 * twice), « Envoi en cours… » shown below them and announced.
 *
 * @param {HTMLFormElement} form
 */
function markBusy (form) {
  if (form.hasAttribute('aria-busy')) return
  form.setAttribute('aria-busy', 'true')
  form.querySelectorAll('button:not([disabled]), input[type="submit"]:not([disabled])').forEach((button) => {
    button.disabled = true
    button.dataset.appBusy = 'true'
  })
  const status = document.createElement('p')
  status.className = 'govuk-body app-busy'
  status.textContent = BUSY
  const buttons = form.querySelector('.govuk-button-group') || form.lastElementChild
  if (buttons) buttons.after(status)
  else form.append(status)
  announce(BUSY)
}

/** A form that changes something (POST…) is busy while its htmx request is in flight. */
function onBeforeSend (event) {
  const config = event.detail.requestConfig || {}
  if ((config.verb || 'get').toLowerCase() === 'get') return
  const form = formOf(event.detail.elt)
  if (form) markBusy(form)
}

/**
 * A form sent the classic way (no htmx on it) is busy until the next page
 * arrives. Marked after the submission began, so that the button pressed
 * is still sent with it.
 */
function onSubmit (event) {
  const form = event.target
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return
  if (form.hasAttribute('data-hx-post') || form.method.toLowerCase() !== 'post') return
  window.setTimeout(() => markBusy(form), 0)
}

/**
 * ``form`` is usable again.
 *
 * @param {HTMLFormElement} form
 */
function clearBusy (form) {
  form.removeAttribute('aria-busy')
  form.querySelectorAll('[data-app-busy]').forEach((button) => {
    button.disabled = false
    delete button.dataset.appBusy
  })
  form.querySelectorAll('.app-busy').forEach((status) => status.remove())
}

/** The request ended (answered or not): its form is usable again. */
function onAfterRequest (event) {
  const form = formOf(event.detail.elt)
  if (form && form.isConnected) clearBusy(form)
}

/** Back to a page kept by the browser (back button): no form is still being sent. */
function onPageShow (event) {
  if (event.persisted) document.querySelectorAll('form[aria-busy]').forEach(clearBusy)
}

/**
 * The French explanation an error answer carries: the portal's error pages
 * mark it with ``data-app-error`` (a title, a message, and possibly a link
 * to follow in another tab, such as the login page).
 *
 * @param {string} html
 * @returns {{title: string, message: string, link: {href: string, text: string} | null} | null}
 */
function explanationIn (html) {
  if (!html) return null
  const page = new DOMParser().parseFromString(html, 'text/html')
  const box = page.querySelector('[data-app-error]')
  if (!box) return null
  const title = box.querySelector('[data-app-error-title]')
  const message = box.querySelector('[data-app-error-message]')
  const link = box.querySelector('a[data-app-error-link]')
  return {
    title: title ? title.textContent.trim() : '',
    message: message ? message.textContent.trim() : '',
    link: link ? { href: link.getAttribute('href'), text: link.textContent.trim() } : null
  }
}

/**
 * Show, above the form that sent the request (or at the top of the page),
 * what went wrong and what to do, focus it and have it announced. Nothing of
 * the form is touched: what was typed stays.
 */
function showRequestError (source, title, message, link) {
  const form = formOf(source)
  const main = document.getElementById('main-content')
  const anchor = form || main
  if (!anchor) return
  const previous = (form ? form.parentElement : main).querySelector(':scope > .app-request-error')
  if (previous) previous.remove()

  const box = document.createElement('div')
  box.className = 'govuk-error-summary app-request-error'
  box.setAttribute('role', 'alert')
  const heading = document.createElement('h2')
  heading.className = 'govuk-error-summary__title'
  heading.textContent = title
  const body = document.createElement('div')
  body.className = 'govuk-error-summary__body'
  for (const text of [message, form ? KEPT : '']) {
    if (!text) continue
    const paragraph = document.createElement('p')
    paragraph.className = 'govuk-body'
    paragraph.textContent = text
    body.append(paragraph)
  }
  if (link) {
    const paragraph = document.createElement('p')
    paragraph.className = 'govuk-body'
    const anchorLink = document.createElement('a')
    anchorLink.className = 'govuk-link'
    anchorLink.href = link.href
    anchorLink.target = '_blank'
    anchorLink.rel = 'noopener'
    anchorLink.textContent = link.text + ' (nouvel onglet)'
    paragraph.append(anchorLink)
    body.append(paragraph)
  }
  box.append(heading, body)
  if (form) form.before(box)
  else main.prepend(box)
  focusElement(box)
}

/**
 * A token refused (``X-Portail-Erreur: csrf``): the session it belonged to
 * is gone. Ask the portal for a fresh one and put it in the page, so that
 * sending the form again works — without reloading, which would lose what
 * was typed.
 */
async function renewCsrfToken () {
  const response = await fetch('/session/jeton-csrf', { credentials: 'same-origin', cache: 'no-store' })
  if (!response.ok) return false
  const token = (await response.text()).trim()
  if (!token) return false
  document.querySelectorAll('input[name="csrf_token"]').forEach((input) => { input.value = token })
  const meta = document.querySelector('meta[name="csrf-token"]')
  if (meta) meta.setAttribute('content', token)
  document.body.setAttribute('data-hx-headers', JSON.stringify({ 'X-CSRFToken': token }))
  return true
}

async function onResponseError (event) {
  const xhr = event.detail.xhr
  const status = xhr ? xhr.status : 0
  const source = event.detail.elt
  if (xhr && xhr.getResponseHeader('X-Portail-Erreur') === 'csrf') {
    const renewed = await renewCsrfToken().catch(() => false)
    if (renewed) {
      showRequestError(source, 'Le formulaire a été renouvelé',
        'Par sécurité, le formulaire devait être renouvelé : c’est fait. Envoyez-le à nouveau.', null)
      return
    }
  }
  const explained = explanationIn(xhr ? xhr.responseText : '')
  const [title, message] = REQUEST_ERRORS[status] || REQUEST_ERRORS[status >= 500 ? 500 : 400]
  showRequestError(source, (explained && explained.title) || title, (explained && explained.message) || message, explained && explained.link)
}

function onSendError (event) {
  const [title, message] = REQUEST_ERRORS[0]
  showRequestError(event.detail.elt, title, message, null)
}

function onTimeout (event) {
  const [title, message] = REQUEST_ERRORS.timeout
  showRequestError(event.detail.elt, title, message, null)
}

markJavaScriptEnabled()
initAll(FRENCH)
document.body.addEventListener('htmx:afterSettle', onAfterSettle)
document.body.addEventListener('htmx:beforeSend', onBeforeSend)
document.body.addEventListener('htmx:beforeSwap', onBeforeSwap)
document.addEventListener('submit', onSubmit)
window.addEventListener('pageshow', onPageShow)
document.body.addEventListener('htmx:afterRequest', onAfterRequest)
document.body.addEventListener('htmx:responseError', onResponseError)
document.body.addEventListener('htmx:sendError', onSendError)
document.body.addEventListener('htmx:timeout', onTimeout)
