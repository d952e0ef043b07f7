/** The JSON shapes the API returns: camelCase views of store rows, without internal columns. */
import type { FaceRow } from '../store/faces.js';
import type { PhotoRow } from '../store/photos.js';

export function faceView(f: FaceRow) {
  return {
    id: f.id,
    box: { cx: f.cx, cy: f.cy, width: f.width, height: f.height, angle: f.angle },
    strength: f.strength,
    labelState: f.label_state,
    /** confirmed: who it is; rejected: who it is not. */
    person: f.person,
    personId: f.person_id,
    predictedPerson: f.predicted_person,
    predictedPersonId: f.predicted_person_id,
    decisionValue: f.decision_value,
    modelVersion: f.model_version,
    hasChip: f.has_chip === 1,
    labelledAt: f.labelled_at,
  };
}

export function photoView(p: PhotoRow) {
  return {
    id: p.id,
    path: p.path,
    status: p.status,
    hash: p.hash,
    width: p.width,
    height: p.height,
    orientation: p.orientation,
    takenAt: p.taken_at,
    analysedAt: p.analysed_at,
  };
}
