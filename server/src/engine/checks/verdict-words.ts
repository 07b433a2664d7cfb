/**
 * Words that make a branch a security decision (model-verdict-only-gate). Shared with the
 * check's trigger (checks/triggers.ts): the check only reports a branch whose text matches, so a
 * file where nothing matches is not parsed for it. Predictions are everywhere in ML code; security
 * decisions taken from them are not.
 */
export const SECURITY_DECISION = /\b(allow|allowed|deny|denied|block|blocked|reject|approve|approved|grant|permit|fraud|spam|malware|malicious|attack|intrusion|phish|toxic|unsafe|harmful|benign|safe|legit|authori[sz]e|authenticate|login|access|quarantine|flag_user|ban|suspicious|anomal\w*|abort\s*\(\s*40[13]|40[13])\b/i;
