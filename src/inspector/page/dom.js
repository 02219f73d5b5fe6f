// Updating the page in place: a view rebuilt off-document is copied onto the one shown, touching only the text
// and attributes that differ, so an unchanged figure costs the browser no layout and a text selection holds.

/** Makes `target`'s children equal `source`'s (which it takes nodes from). Listeners are not copied: delegate them. */
export function patchChildren(target, source) {
  const wanted = [...source.childNodes];
  const current = [...target.childNodes];
  for (let index = 0; index < wanted.length; index++) {
    const want = wanted[index];
    const have = current[index];
    if (have === undefined) target.append(want);
    else if (have.nodeType !== want.nodeType || have.nodeName !== want.nodeName) have.replaceWith(want);
    else if (want.nodeType === Node.ELEMENT_NODE) {
      patchAttributes(have, want);
      patchChildren(have, want);
    } else if (have.data !== want.data) have.data = want.data;
  }
  for (let index = wanted.length; index < current.length; index++) current[index].remove();
}

function patchAttributes(have, want) {
  for (const { name, value } of want.attributes) if (have.getAttribute(name) !== value) have.setAttribute(name, value);
  for (const { name } of [...have.attributes]) if (!want.hasAttribute(name)) have.removeAttribute(name);
}

/** Sets a property only when it differs: writing the same text still makes the browser lay the page out again. */
export function setIfChanged(target, name, value) {
  if (target[name] !== value) target[name] = value;
}
