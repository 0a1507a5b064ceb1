"""The face_recognition video loop as the pass benchmark's baseline: every Nth frame, HOG
detection (upsample 1) and dlib ResNet encodings, each face's distance to its nearest enrolled
identity. Prints one JSON line per face, so that alerts can be made at any tolerance afterwards
(the library's default is 0.6), and a last line with the timing.

usage: python face_recognition_faces.py VIDEO ENROL_DIR [--every 5]
ENROL_DIR holds <identity>/<photo>; an identity is matched by its first photo with a face.
"""
import argparse
import json
import os
import time

import cv2
import face_recognition

ap = argparse.ArgumentParser()
ap.add_argument("video")
ap.add_argument("enrol")
ap.add_argument("--every", type=int, default=5)
a = ap.parse_args()

names, known = [], []
for identity in sorted(os.listdir(a.enrol)):
    folder = os.path.join(a.enrol, identity)
    for photo in sorted(os.listdir(folder)):
        encodings = face_recognition.face_encodings(face_recognition.load_image_file(os.path.join(folder, photo)))
        if encodings:
            names.append(identity)
            known.append(encodings[0])
            break

capture = cv2.VideoCapture(a.video)
frame = processed = 0
start = time.perf_counter()
while True:
    ok, image = capture.read()
    if not ok:
        break
    if frame % a.every == 0:
        rgb = image[:, :, ::-1].copy()
        locations = face_recognition.face_locations(rgb)
        for encoding in face_recognition.face_encodings(rgb, locations):
            distances = face_recognition.face_distance(known, encoding) if known else []
            if len(distances):
                best = int(distances.argmin())
                print(json.dumps({"frame": frame, "subject": names[best], "distance": float(distances[best])}))
        processed += 1
    frame += 1
elapsed = time.perf_counter() - start
print(json.dumps({"done": True, "frames": frame, "processed": processed, "seconds": elapsed, "enrolled": len(known)}))
