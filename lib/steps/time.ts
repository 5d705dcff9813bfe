/** Seconds from an ISO timestamp to `now`: the deadlines of the ASL's polling loops. */
export const secondsSince = (iso: string, now: Date): number => (now.getTime() - Date.parse(iso)) / 1000;
