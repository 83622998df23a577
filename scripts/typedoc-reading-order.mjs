// @ts-check
/**
 * A local typedoc plugin: puts each page of docs/ in its place in the
 * sidebar from the lists in typedoc.config.mjs, so the pages' front matter
 * carries only their titles. A guide page (READING_ORDER) goes into
 * typedoc's "none" group, which the sidebar shows without a heading, in the
 * order the pages were listed; a contributor page (CONTRIBUTOR_PAGES) into
 * "Contributing", which `groupOrder` puts after the API.
 */
import { relative, sep } from 'node:path';
import { Converter } from 'typedoc';
import { CONTRIBUTOR_PAGES, READING_ORDER } from '../typedoc.config.mjs';

/** @param {import('typedoc').Application} app */
export function load(app) {
  // typedoc emits this event with no context for project documents: the page's own project is used.
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, reflection) => {
    const path = reflection.project.files.getReflectionPath(reflection);
    if (!path) return;
    const rel = relative(process.cwd(), path).split(sep).join('/');
    if (READING_ORDER.includes(rel)) reflection.frontmatter.group = 'none';
    else if (CONTRIBUTOR_PAGES.includes(rel)) reflection.frontmatter.group = 'Contributing';
  });
}
