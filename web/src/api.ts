// The gateway's browser API: sign-in, reference data, and the dashboard event streams. Messages are
// the gRPC API's own (coordination.v1, proto JSON form, every field present).

export interface CapabilityCapacity { capability: string; availableUnits: number; availableGuards: number }
export interface StatusCount { status: string; units: number; guards: number }
export interface CapacityReport {
  scope: string; districts: string[]; byCapability: CapabilityCapacity[]; byStatus: StatusCount[];
  availableUnits: number; availableGuards: number; registeredUnits: number; staleUnits: number; asOf: string;
}
export interface GeoPoint { latitude: number; longitude: number }
export interface IncidentSummary {
  incidentId: string; districtId: string; title: string; priority: string; exercise: boolean; openedAt: string;
  location: GeoPoint | null; requests: number; requestedGuards: number; soughtGuards: number; committedGuards: number;
  enRouteGuards: number; onSceneGuards: number; unfilledGuards: number;
}
export interface Circle { centre: GeoPoint | null; radiusKm: number }
export interface BulletinArea { districts: string[]; circle: Circle | null; polygon: GeoPoint[] }
/** An outstanding police bulletin as a dashboard shows it; the gateway sends only the lines the reader's TLP reach allows. */
export interface BulletinLine {
  bulletinId: string; districtId: string; kind: string; headline: string; tlp: string; tlpLabel: string; status: string;
  area: BulletinArea; areaDistricts: string[]; recipients: number; delivered: number; acknowledged: number;
  missingAtDeadline: number; acknowledgementRequired: boolean; acknowledgeBy: string | null; expires: string;
}
/**
 * An open guard observation as a district's dashboard shows it: no text, no company, no unit. Only a
 * district's own stream carries them, to its police and its wall screens; the id only to police.
 */
export interface ObservationLine {
  observationId: string; category: string; categoryName: string; position: GeoPoint | null; reportedAt: string; seenAt: string;
  needsPoliceNow: boolean; stage: string;
}
export interface CapacityUpdate {
  version: string; capacity: CapacityReport; districts: CapacityReport[]; incidents: IncidentSummary[]; bulletins: BulletinLine[];
  observations: ObservationLine[];
}

/** An observation as its district's police read it (ObservationService), and an event of the district's queue stream. */
export interface PhotoInfo { index: number; contentType: string; sizeBytes: string; sha256: string }
export interface TriageStep { stage: string; at: string; actor: string; message: string }
export interface Observation {
  id: string; companyId: string; unitId: string; seenAt: string; reportedAt: string; position: GeoPoint | null; category: string;
  text: string; needsPoliceNow: boolean; answersBulletinId: string; incidentId: string; districtId: string; routedBy: string;
  stage: string; steps: TriageStep[]; photos: PhotoInfo[]; textErasedAt: string | null; contentSha256: string; version: string; reportedBy: string;
}
export interface ObservationEvent { sequence: string; kind: string; observation: Observation; restarted: boolean }

export interface Offer { offerId: string; companyId: string; guards: number; status: string; committedGuards: number; reason: string; automatic: boolean; deadline: string }
export interface Assignment { companyId: string; unitId: string; guards: number; status: string; until: string }
export interface CapacityRequest {
  requestId: string; capability: string; guards: number; status: string; committedGuards: number; offeredGuards: number;
  allowPartial: boolean; allowNeighbours: boolean; start: string; end: string; offers: Offer[]; assignments: Assignment[];
}
export interface TimelineEvent {
  sequence: string; at: string; kind: string; actor: string; reason: string; requestId: string; offerId: string;
  companyId: string; unitIds: string[]; guards: number;
}
export interface Incident {
  incidentId: string; districtId: string; title: string; location: GeoPoint | null; priority: string; exercise: boolean;
  status: string; openedAt: string; closedAt: string | null; requests: CapacityRequest[]; timeline: TimelineEvent[]; usesLiveCapacity: boolean;
}
export interface IncidentUpdate { version: string; incident: Incident }

export interface District { id: string; name: string; headquarters: string; position: GeoPoint; neighbours: string[]; protectedReserveGuards: number }
export interface Capability { id: string; name: string }
export interface BulletinKind { id: string; name: string; observeOnly: boolean }
export interface ObservationCategory { id: string; name: string; icon: string }
export interface Reference {
  districts: { districts: District[] };
  capabilities: { capabilities: Capability[]; bulletinKinds: BulletinKind[]; observationCategories: ObservationCategory[] };
}

export interface Who { subject: string; role: string; national: boolean; districts: string[] }

export class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new HttpError(response.status, body.title ?? body.message ?? response.statusText);
  }
  return response.json() as Promise<T>;
}

export const whoAmI = async (): Promise<Who> => json(await fetch("/auth/session", { credentials: "same-origin" }));

export const signIn = async (token: string): Promise<Who> =>
  json(await fetch("/auth/session", {
    method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }),
  }));

export const signOut = async (): Promise<void> => { await fetch("/auth/session", { method: "DELETE", credentials: "same-origin" }); };

export const reference = async (): Promise<Reference> => json(await fetch("/api/v1/reference", { credentials: "same-origin" }));

export type StreamState = "live" | "reconnecting" | "closed";

/**
 * One event stream. EventSource reconnects by itself and sends the last event id (a dashboard
 * picture's version, or the observation queue's sequence), so the server resumes without repeating
 * anything. A refusal (401/403/404) closes it.
 */
export function watch<T>(path: string, event: string, onPicture: (picture: T) => void, onState: (state: StreamState, why?: string) => void): () => void {
  const source = new EventSource(path, { withCredentials: true });
  source.addEventListener(event, (e) => {
    onState("live");
    onPicture(JSON.parse((e as MessageEvent<string>).data) as T);
  });
  source.addEventListener("failure", (e) => onState("reconnecting", JSON.parse((e as MessageEvent<string>).data).message));
  source.onopen = () => onState("live");
  source.onerror = () => onState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
  return () => source.close();
}
