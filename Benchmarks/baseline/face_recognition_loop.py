"""The documented face_recognition video loop (examples/facerec_from_video_file.py), as the baseline.

Every frame at native size: HOG detection (upsample 1), dlib ResNet encodings, compare_faces at
the library's default tolerance 0.6. Prints one JSON object with the figures.

usage: python face_recognition_loop.py VIDEO [KNOWN_IMAGE ...]
"""
import json
import sys
import time

import cv2
import face_recognition

video, known_paths = sys.argv[1], sys.argv[2:]
known = []
for path in known_paths:
    encodings = face_recognition.face_encodings(face_recognition.load_image_file(path))
    if encodings:
        known.append(encodings[0])

capture = cv2.VideoCapture(video)
frames = faces = matches = 0
match_frames = []
start = time.perf_counter()
while True:
    ok, frame = capture.read()
    if not ok:
        break
    rgb = frame[:, :, ::-1].copy()
    locations = face_recognition.face_locations(rgb)
    encodings = face_recognition.face_encodings(rgb, locations)
    for encoding in encodings:
        if known and any(face_recognition.compare_faces(known, encoding, tolerance=0.6)):
            matches += 1
            match_frames.append(frames)
    faces += len(locations)
    frames += 1
elapsed = time.perf_counter() - start
print(json.dumps({"frames": frames, "seconds": elapsed, "fps": frames / elapsed, "faces": faces,
                  "matched_faces": matches, "first_match_frame": match_frames[0] if match_frames else None}))
