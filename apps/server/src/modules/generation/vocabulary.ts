import type { VehicleType } from '@loadline/contracts';

/** Words generated records are made of: names, streets, goods. */
// prettier-ignore
export const FIRST_NAMES = [
  'Aarav', 'Aditi', 'Akash', 'Ananya', 'Arjun', 'Bhavna', 'Chetan', 'Deepa', 'Divya', 'Farhan',
  'Gaurav', 'Harini', 'Imran', 'Ishaan', 'Jaya', 'Karan', 'Kavya', 'Lakshmi', 'Manoj', 'Meera',
  'Nikhil', 'Nisha', 'Omkar', 'Pooja', 'Pranav', 'Priya', 'Rahul', 'Rekha', 'Rohan', 'Sanjay',
  'Sara', 'Shreya', 'Suresh', 'Tanvi', 'Uday', 'Varun', 'Vidya', 'Vikram', 'Yash', 'Zoya', 'Anil',
  'Asha', 'Dev', 'Esha', 'Gita', 'Hari', 'Irfan', 'Kiran', 'Leela', 'Mohan',
] as const;

// prettier-ignore
export const LAST_NAMES = [
  'Sharma', 'Iyer', 'Reddy', 'Nair', 'Rao', 'Gupta', 'Khan', 'Menon', 'Patel', 'Singh', 'Das',
  'Joshi', 'Kulkarni', 'Pillai', 'Shetty', 'Verma', 'Hegde', 'Bhat', 'Kumar', 'Mehta', 'Chopra',
  'Naidu', 'Gowda', 'Fernandes', 'DSouza', 'Mishra', 'Pandey', 'Banerjee', 'Ghosh', 'Kapoor',
] as const;

export const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example'] as const;

// prettier-ignore
export const STREETS = [
  'MG Road', 'Brigade Road', 'Residency Road', 'Church Street', 'Lavelle Road', 'Infantry Road',
  'Cunningham Road', 'Richmond Road', 'Hosur Road', 'Bannerghatta Road', 'Old Airport Road',
  'Outer Ring Road', 'Sarjapur Road', 'Whitefield Main Road', 'Indiranagar 100 Feet Road',
  'Koramangala 80 Feet Road', 'Jayanagar 4th Block', 'Malleshwaram 8th Cross',
  'Rajajinagar 1st Block', 'Hebbal Flyover Road', 'Tumkur Road', 'Mysore Road', 'Kanakapura Road',
  'Bellary Road',
] as const;

/** Goods a vehicle type typically carries, with a weight range in kg. */
export const GOODS: Readonly<Record<VehicleType, readonly (readonly [string, number, number])[]>> = {
  bike: [
    ['Documents', 0.2, 2],
    ['Food order', 1, 8],
    ['Medicines', 0.5, 5],
    ['Small parcel', 1, 15],
  ],
  van: [
    ['Furniture (2 chairs)', 20, 60],
    ['Electronics', 10, 150],
    ['Groceries', 30, 300],
    ['Office supplies', 20, 400],
  ],
  mini_truck: [
    ['Household shift (1 BHK)', 300, 900],
    ['Retail stock', 200, 1200],
    ['Appliances', 150, 800],
  ],
  truck: [
    ['Construction material', 1500, 6000],
    ['Warehouse pallets', 1000, 7000],
    ['Household shift (3 BHK)', 1200, 3500],
  ],
};

export const PLATE_STATES = ['KA', 'TN', 'MH', 'AP', 'TS', 'KL', 'DL', 'GJ'] as const;
