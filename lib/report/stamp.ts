/**
 * The stamp every report carries: profile, commit, backend and date. Shown as a line of text
 * and embedded as JSON in a hidden element, from which `make reports` builds reports/<profile>/index.html.
 */
import type { BackendInfo } from '../backend';
import { collectEnvironment } from '../backend/environment';
import { engineInfo, initEngine } from '../engine';
import { showHtml } from './display';

export interface ReportStamp {
  profile: string;
  commit: string | null;
  /** Tracked files differed from the commit when the report was made. */
  dirty: boolean | null;
  backend: string;
  /** The compute engine in use when the report was made (absent in older stamps). */
  engine?: string;
  date: string;
}

export function reportStamp(profile: string, backend: BackendInfo | null): ReportStamp {
  const env = collectEnvironment(backend, engineInfo() ?? initEngine());
  return {
    profile,
    commit: env.git.commit,
    dirty: env.git.dirty,
    backend: env.backend?.description ?? 'none initialised',
    engine: env.engine?.name ?? 'none initialised',
    date: env.recordedAt,
  };
}

export function stampText(s: ReportStamp): string {
  const commit = s.commit ? `${s.commit.slice(0, 10)}${s.dirty ? ' (modified)' : ''}` : 'n/a';
  return `Profile ${s.profile} · commit ${commit} · backend ${s.backend}${s.engine ? ` · engine ${s.engine}` : ''} · ${s.date.slice(0, 16).replace('T', ' ')} UTC`;
}

const escapeAttr = (text: string) => text.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/</g, '&lt;');

/** The stamp as HTML: visible text plus the JSON in a data attribute (read by the reports index). */
export function stampHtml(s: ReportStamp): string {
  return `<p class="qvpo-stamp" data-qvpo-stamp='${escapeAttr(JSON.stringify(s))}'><em>${escapeAttr(stampText(s))}</em></p>`;
}

export function showStamp(profile: string, backend: BackendInfo | null): ReportStamp {
  const s = reportStamp(profile, backend);
  showHtml(stampHtml(s), stampText(s));
  return s;
}
